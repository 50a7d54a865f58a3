"""What a trial's figures mean, computed from the messages' send and arrival times and the platform's post log.

Backlog: a pacing bucket (a Slack channel, or the Matrix bot) has a backlog while one of its customer messages
has been waiting more than GRACE seconds (well past the bridge's own processing time on a free channel) and
is not posted yet. Allowed posts over a backlog interval [a, b]: the tokens the server's bucket held at `a`
(the server's accepted posts replayed through a bucket of its documented rate and burst) plus rate x (b - a),
i.e. every post the server would have taken then. Share used: posts the server took in the intervals
divided by that allowance. The same with the bucket's tokens at `a` capped at the bridge's own burst tells
slots left unused at the pace apart from a server burst bigger than the bridge's.
"""

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bench.load.tracking import TOKEN

GRACE = 0.5
Spans = list[tuple[float, float]]


@dataclass(frozen=True)
class Wait:
    """One customer message: the bucket that paces its post, when it was sent and when it was posted (inf: never)."""

    bucket: str
    sent: float
    posted: float


@dataclass(frozen=True)
class Post:
    bucket: str
    at: float
    text: str


@dataclass
class Use:
    posts: int = 0
    allowed: float = 0.0
    seconds: float = 0.0
    allowed_capped: float = 0.0
    """The allowance with the server's tokens at each interval's start capped at the bridge's burst."""

    def add(self, other: "Use") -> None:
        self.posts += other.posts
        self.allowed += other.allowed
        self.seconds += other.seconds
        self.allowed_capped += other.allowed_capped


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile; lost messages are `inf` and count as the slowest."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def backlog(waits: Iterable[Wait], start: float, end: float, grace: float = GRACE) -> dict[str, Spans]:
    """Per bucket, the merged intervals within [start, end] when a message had waited more than `grace`."""
    spans: dict[str, Spans] = defaultdict(list)
    for w in waits:
        a, b = max(w.sent + grace, start), min(w.posted, end)
        if b > a:
            spans[w.bucket].append((a, b))
    merged: dict[str, Spans] = {}
    for bucket, found in spans.items():
        out: Spans = []
        for a, b in sorted(found):
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        merged[bucket] = out
    return merged


def tokens_before(posts: list[float], t: float, rate: float, burst: int) -> float:
    """The server's bucket just before `t`: full at the first post, refilled at `rate`, one token per post."""
    tokens, last = float(burst), posts[0] if posts else t
    for at in posts[:bisect.bisect_left(posts, t)]:
        tokens = min(burst, tokens + (at - last) * rate) - 1
        last = at
    return max(0.0, min(burst, tokens + (t - last) * rate))


def use_in_backlog(posts: Iterable[Post], intervals: dict[str, Spans], rate: float, burst: int,
                   own_burst: int) -> dict[str, Use]:
    """Per bucket: posts made while it had a backlog, the posts allowed then, and the backlog's seconds."""
    times: dict[str, list[float]] = defaultdict(list)
    for p in posts:
        times[p.bucket].append(p.at)
    used: dict[str, Use] = {}
    for bucket, spans in intervals.items():
        at = sorted(times[bucket])
        use = Use()
        for a, b in spans:
            tokens = tokens_before(at, a, rate, burst)
            use.add(Use(bisect.bisect_right(at, b) - bisect.bisect_left(at, a), tokens + rate * (b - a), b - a,
                        min(tokens, own_burst) + rate * (b - a)))
        used[bucket] = use
    return used


def total(uses: Iterable[Use]) -> Use:
    out = Use()
    for u in uses:
        out.add(u)
    return out


def messages_per_post(tokens: set[str], posts: Iterable[Post]) -> float:
    """The window's customer messages over the posts that carried at least one of them."""
    carried, carrying = 0, 0
    for p in posts:
        found = [t for t in TOKEN.findall(p.text) if t in tokens]
        carried += len(found)
        carrying += bool(found)
    return carried / carrying if carrying else float("nan")
