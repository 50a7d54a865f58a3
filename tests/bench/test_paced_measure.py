"""The paced bench's figures from known post logs: backlog intervals, the server's allowance, the share used,
messages per post, and where the capacity search goes next."""

import math

from bench.paced.measure import Post, Wait, backlog, messages_per_post, percentile, use_in_backlog
from bench.paced.search import next_size


def test_backlog_merges_the_waits_past_grace_per_channel() -> None:
    waits = [Wait("C1", 0.0, 3.0), Wait("C1", 2.0, 5.0), Wait("C1", 10.0, 10.2), Wait("C2", 0.0, math.inf)]
    assert backlog(waits, 0.0, 20.0, grace=0.5) == {"C1": [(0.5, 5.0)], "C2": [(0.5, 20.0)]}


def test_a_pacer_posting_every_second_through_a_backlog_uses_it_all() -> None:
    posts = [Post("C1", float(t), "") for t in range(1, 11)]
    spans = backlog([Wait("C1", 0.0, 10.0)], 0.0, 20.0, grace=1.0)
    use = use_in_backlog(posts, spans, rate=1.0)["C1"]
    assert (use.posts, use.seconds, use.share) == (10, 9.0, 1.0)


def test_a_burst_does_not_count_twice_and_an_idle_second_is_a_slot_left_unused() -> None:
    burst = [Post("C1", 0.6, ""), Post("C1", 0.7, ""), Post("C1", 0.8, "")]
    posts = burst + [Post("C1", float(t), "") for t in (2, 4, 5)]
    use = use_in_backlog(posts, {"C1": [(0.5, 5.0)]}, rate=1.0)["C1"]
    assert use.posts == 6
    assert use.covered == (0.8 - 0.5) + 1 + 2
    assert use.share < 0.95


def test_messages_per_post_counts_the_windows_messages_in_the_posts_that_carry_them() -> None:
    posts = [Post("C1", 1.0, "c1_1 hi c1_2 there"), Post("C1", 2.0, "c2_1 hello"), Post("C1", 3.0, "a card"),
             Post("C1", 4.0, "c3_9 before the window")]
    assert messages_per_post({"c1_1", "c1_2", "c2_1"}, posts) == 1.5


def test_percentile_counts_a_lost_message_as_the_slowest() -> None:
    assert percentile([0.1] * 19 + [math.inf], 95) == 0.1
    assert percentile([0.1] * 18 + [math.inf] * 2, 95) == math.inf


def test_the_search_ramps_until_a_failure_then_bisects() -> None:
    assert next_size(10, 10, None) == 12
    assert next_size(12, 10, 12) == 11
    assert next_size(11, 11, 12) is None
    assert next_size(10, 0, 10) == 8
    assert next_size(1, 0, 1) is None
