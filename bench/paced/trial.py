"""One trial: N open chats on a queue converse for a warm-up and a measuring window; the figures come from the
messages sent in the window and the platform's post log (bench.paced.measure says how)."""

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from bench.load.customers import Customer
from bench.load.results import Counts, PlatformRun, tally
from bench.load.scenario import Desk, Size, escalate_all, open_chats
from bench.load.threads import SeenThreads
from bench.load.tracking import TOKEN, Arrivals
from bench.paced.measure import Post, Use, Wait, backlog, messages_per_post, percentile, total, use_in_backlog
from bench.paced.traffic import Traffic, converse

TARGET_P95 = 3.0
OPEN_TIMEOUT = 600.0
"""A chat's opening takes its channel about 8 posts, the Matrix bot about 10 sends at 5 s each once its burst
is spent: chats opened together wait their turn."""


class PacedDesk(Desk, Protocol):
    threads: SeenThreads
    feed: list[dict[str, Any]] | None


@dataclass
class Timing:
    warmup: float
    window: float
    mean_interval: float


@dataclass
class Limit:
    """The pace the server documents for one bucket: `rate` posts a second."""

    rate: float
    bucket: Callable[[str], str]
    """The bucket a post in this conversation (Slack channel, Matrix room) counts against."""


@dataclass
class Trial:
    chats: int
    latencies: list[float]
    per_post: float
    use: Use
    refused: int
    to_thread: Counts
    to_customer: Counts
    buckets: int
    """Channels (or the Matrix bot) the window's messages went through."""
    other_posts: int
    """Posts in those channels during the window that carried no customer message (cards, notices, headers)."""
    placement: list[int]
    """How many of the trial's chats each channel holds, busiest first."""

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)

    @property
    def passed(self) -> bool:
        return self.p95 < TARGET_P95 and not self.to_thread.lost


@dataclass
class Opening:
    """Chats opened in one go, and what it cost the bot (Matrix: its sends Synapse took and refused)."""

    chats: int
    seconds: float
    sends: int
    refused: int


@dataclass
class Pool:
    """The chats open on one queue; a trial makes the first N of them write (the rest stay open, quiet).

    Open them up front, as many as the search may need: chats opened together are spread over the channels as
    they arrive, while a few opened after a quiet minute all go to the channel that happened to be quietest."""

    urls: list[str]
    topic: str
    desk: PacedDesk
    session: aiohttp.ClientSession
    first_index: int
    escalations_per_second: float
    quiet_seconds: float
    """Opening chats is done once the desk saw no post for this long: on Slack a few of the channel's seconds;
    on Matrix several of the bot's 5 s turns, as its posts in the CSRs' direct rooms are not seen."""
    inbox: Arrivals = field(default_factory=Arrivals)
    customers: list[Customer] = field(default_factory=list)
    seqs: dict[int, int] = field(default_factory=dict)
    keep: Path | None = None
    """Each trial's post log and messages go here as JSON."""
    last_post: Callable[[], float] | None = None
    """When the bot last posted anywhere, when the desk's feed does not see every post (Matrix: direct rooms)."""
    refusals: Callable[[], int] | None = None
    """How often the platform has refused the bot so far, when the desk's feed does not show it (Matrix)."""
    sends: Callable[[], int] | None = None
    """How many of the bot's sends the platform has taken so far (Matrix: its direct rooms included)."""
    openings: list[Opening] = field(default_factory=list)

    async def grow(self, n: int) -> None:
        """Opens chats until `n` are open: each escalated, accepted by a CSR and given its thread."""
        if n <= len(self.customers):
            return
        size = Size(n - len(self.customers), 0, 0, self.escalations_per_second,
                    self.first_index + len(self.customers))
        began, sends, refused = time.time(), self._count(self.sends), self._count(self.refusals)
        fresh = await open_chats(self.urls, self.topic, size, self.session, self.inbox)
        await escalate_all(PlatformRun(self.topic, len(fresh), 0), fresh, self.desk, size, OPEN_TIMEOUT)
        self.customers += fresh
        await self._quiet()
        self.openings.append(Opening(len(fresh), time.time() - began, self._count(self.sends) - sends,
                                     self._count(self.refusals) - refused))

    @staticmethod
    def _count(counter: Callable[[], int] | None) -> int:
        return counter() if counter is not None else 0

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.customers))

    async def _quiet(self, timeout: float = OPEN_TIMEOUT) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline and time.time() - self._last() < self.quiet_seconds:
            await asyncio.sleep(0.5)

    def _last(self) -> float:
        if self.last_post is not None:
            return self.last_post()
        return self.desk.feed[-1]["at"] if self.desk.feed else 0.0


async def run_trial(pool: Pool, chats: int, timing: Timing, limit: Limit, seed: str, name: str) -> Trial:
    """`seed` draws the customers' schedules; `name` names the trial's JSON dump."""
    await pool.grow(chats)
    feed = pool.desk.feed
    assert feed is not None
    began = time.time()
    refused_before = pool.refusals() if pool.refusals else 0
    start = began + timing.warmup
    end = start + timing.window
    traffic = await converse(pool.customers[:chats], pool.desk, pool.inbox, pool.seqs,
                             timing.warmup + timing.window, timing.mean_interval, seed)
    threads = pool.desk.threads.seen
    arrivals = pool.desk.threads_seen.seen
    waits = [Wait(limit.bucket(threads[s.chat_id].channel), s.sent, (arrivals.get(s.token) or [float("inf")])[0])
             for s in traffic.said]
    posts = [Post(limit.bucket(line["ch"]), line["at"], line.get("text", "")) for line in feed if line["m"] == "post"]
    in_window = [w for w, s in zip(waits, traffic.said, strict=True) if start <= s.sent < end]
    buckets = {w.bucket for w in in_window}
    window_tokens = {s.token for s in traffic.said if start <= s.sent < end}
    use = total(use_in_backlog(posts, backlog(waits, start, end), limit.rate).values())
    if pool.keep is not None:
        _dump(pool.keep / f"trial-{name.replace(' ', '').replace(',', '-').replace(':', '-')}.json", feed, began,
              traffic)
    return Trial(chats, [w.posted - w.sent for w in in_window],
                 messages_per_post(window_tokens, [p for p in posts if p.at >= began]), use,
                 pool.refusals() - refused_before if pool.refusals else
                 sum(1 for line in feed if line["m"] == "429" and line["at"] >= began),
                 tally(arrivals, [s.token for s in traffic.said]), tally(pool.inbox.seen, traffic.answered),
                 len(buckets), sum(1 for p in posts if p.bucket in buckets and start <= p.at < end
                                   and not TOKEN.search(p.text)),
                 sorted(Counter(threads[c.chat_id].channel for c in pool.customers[:chats]).values(), reverse=True))


def _dump(path: Path, feed: list[dict[str, Any]], began: float, traffic: Traffic) -> None:
    """The trial's post log and messages, for whoever wants to see why a figure is what it is."""
    lines = [line for line in feed if line["at"] >= began - 60]
    said = [{"token": s.token, "chat": s.chat_id, "sent": s.sent} for s in traffic.said]
    path.write_text(json.dumps({"began": began, "feed": lines, "said": said}))
