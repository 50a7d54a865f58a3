"""The change feed's announcements: what a chat's reader needs to tell, without reading the stream, that no event
came since it last read, or only ones it holds."""

import pytest
from redis.asyncio import Redis

from bridge.events.feed import Announced, ChangeFeed
from bridge.keys import Keys


def _feed() -> ChangeFeed:
    return ChangeFeed(Redis(), Keys("t"))  # dispatch never touches Redis


def test_nothing_is_known_of_a_chat_nobody_waits_for() -> None:
    feed = _feed()
    feed.dispatch("chat:c1", "5-0")
    assert feed.announced("c1") is None


def test_named_changes_keep_the_newest_id_and_unnamed_ones_are_counted() -> None:
    feed = _feed()
    ev = feed.waiter("chat:c1")
    assert feed.announced("c1") == Announced(0, "0")
    feed.dispatch("chat:c1", "10-0")
    feed.dispatch("chat:c1", "9-5")  # a reply read out of order never moves the newest back
    feed.dispatch("chat:c2", "11-0")
    assert feed.announced("c1") == Announced(0, "10-0")
    feed.dispatch("chat:c1", "")
    assert feed.announced("c1") == Announced(1, "10-0")
    assert ev.is_set()


@pytest.mark.parametrize("bad", ["garbage", "12-x", "١٢-0", "1-0\n", "99999999999999999999-0"])
def test_a_change_naming_no_valid_id_counts_as_unnamed_and_the_feed_goes_on(bad: str) -> None:
    feed = _feed()
    feed.waiter("chat:c1")
    feed.dispatch("chat:c1", "5-0")
    feed.dispatch("chat:c1", bad)
    assert feed.announced("c1") == Announced(1, "5-0")


def test_ids_compare_as_numbers_not_text() -> None:
    feed = _feed()
    feed.waiter("chat:c1")
    feed.dispatch("chat:c1", "999-0")
    feed.dispatch("chat:c1", "1000-0")
    assert feed.announced("c1") == Announced(0, "1000-0")


def test_the_record_goes_with_the_last_waiter_and_starts_afresh() -> None:
    feed = _feed()
    first, second = feed.waiter("chat:c1"), feed.waiter("chat:c1")
    feed.dispatch("chat:c1", "")
    feed.release("chat:c1", first)
    assert feed.announced("c1") == Announced(1, "0")
    feed.release("chat:c1", second)
    assert feed.announced("c1") is None
    feed.waiter("chat:c1")
    assert feed.announced("c1") == Announced(0, "0")


def test_other_kinds_of_change_are_not_recorded() -> None:
    feed = _feed()
    ev = feed.waiter("typing:c1")
    feed.dispatch("typing:c1")
    assert ev.is_set() and feed.announced("c1") is None
