"""What a trial's figures mean, computed from the messages' send and arrival times and the platform's post log.

Backlog: a pacing bucket (a Slack channel, or the Matrix bot) has a backlog while one of its customer messages
has been waiting more than GRACE seconds (well past the bridge's own processing time on a free channel) and
is not posted yet. Share of the allowed posts used: at the documented pace (Slack: one post a second per
channel) each post the server took uses the 1/rate seconds before it; the share is the part of the backlog's
seconds those slots cover. A bridge posting at the pace whenever messages wait covers all of it (1.0); a
second with messages waiting and no post is an allowed post left unused. Bursts beyond the pace only help
latency; they are not counted twice.
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
    """Posts the server took while the bucket had a backlog."""
    seconds: float = 0.0
    """Seconds of backlog."""
    covered: float = 0.0
    """Seconds of backlog covered by the posts' pace slots."""

    @property
    def share(self) -> float:
        return self.covered / self.seconds if self.seconds else float("nan")

    def add(self, other: "Use") -> None:
        self.posts += other.posts
        self.seconds += other.seconds
        self.covered += other.covered


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
    return {bucket: _merged(found) for bucket, found in spans.items()}


def _merged(spans: Spans) -> Spans:
    out: Spans = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def use_in_backlog(posts: Iterable[Post], intervals: dict[str, Spans], rate: float) -> dict[str, Use]:
    """Per bucket: posts made while it had a backlog, the backlog's seconds, and the part the posts' slots cover."""
    slots: dict[str, Spans] = defaultdict(list)
    for p in posts:
        slots[p.bucket].append((p.at - 1 / rate, p.at))
    used: dict[str, Use] = {}
    for bucket, spans in intervals.items():
        covering = _merged(slots[bucket])
        ends = [y for _, y in covering]
        made = sorted(y for _, y in slots[bucket])
        use = Use()
        for a, b in spans:
            use.posts += bisect.bisect_right(made, b) - bisect.bisect_left(made, a)
            use.seconds += b - a
            for x, y in covering[bisect.bisect_left(ends, a):]:
                if x >= b:
                    break
                use.covered += min(b, y) - max(a, x)
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
