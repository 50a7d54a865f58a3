"""One chat's routing history turned into the samples reports count.

A chat's routing events (queued, offered, accepted, ...) are walked in order, keeping track of the
queue it is in, whether the customer is waiting and since when a CSR has it, so every sample is
attributed to the right queue even after overflows and transfers.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ROUTING_KINDS = {"queued", "overflowed", "offered", "accepted", "declined", "missed", "transferred", "closed"}
REPLY = "reply"
"""A CSR's message to the customer: only the first after a left message was claimed counts (its answer)."""


@dataclass(frozen=True)
class Step:
    kind: str
    ts: float
    data: dict[str, Any]


@dataclass(frozen=True)
class ChatHistory:
    chat_id: str
    queue: str
    """The chat's queue when nothing else says (a chat that never reached a queue)."""
    steps: tuple[Step, ...]
    rating: int | None = None
    tags: tuple[str, ...] = ()
    outcome: str = ""
    """What its CSRs filed the chat under, for `csr report ... tag:X outcome:Y`."""

    @property
    def ended(self) -> bool:
        return any(step.kind == "closed" for step in self.steps)


@dataclass(frozen=True)
class Sample:
    """queued, offered, accepted, declined, missed, abandoned, transferred, wait, handle, rating; for left
    messages: left, claimed, answered, and first_answer (from being left to the first reply)."""

    kind: str
    queue: str
    ts: float
    agent: str = ""
    value: float = 0.0


@dataclass
class _Walk:
    queue: str
    waiting: bool = False
    handled: bool = False
    since: float | None = None
    """When the CSR side took the chat (a handling stretch began), else None."""
    stretch_queue: str = ""
    offers: dict[str, tuple[str, str]] = field(default_factory=dict)
    left_at: float | None = None
    """When the customer was offered to leave a message, until its first answer."""
    claimed: bool = False

    def end_stretch(self, ts: float) -> Iterator[Sample]:
        if self.since is not None:
            yield Sample("handle", self.stretch_queue, ts, value=max(ts - self.since, 0.0))
        self.since = None


def samples(history: ChatHistory) -> Iterator[Sample]:
    """Waits run from escalation to a CSR taking the chat; handle time from then to the chat's end or
    its move to another queue (a hand-over between CSRs continues it)."""
    w = _Walk(queue=history.queue)
    for step in history.steps:
        d, ts = step.data, step.ts
        if step.kind == "queued":
            w.queue, w.waiting = str(d.get("queue") or w.queue), True
            yield Sample("queued", w.queue, ts)
        elif step.kind == "overflowed":
            w.queue, w.waiting = (str(d["to"]), w.waiting) if d.get("to") else (w.queue, False)
            if d.get("message") and w.left_at is None:
                w.left_at = ts
                yield Sample("left", w.queue, ts)
        elif step.kind == REPLY:
            if w.claimed and w.left_at is not None:
                yield Sample("answered", w.queue, ts)
                yield Sample("first_answer", w.queue, ts, value=max(ts - w.left_at, 0.0))
                w.left_at = None
        elif step.kind == "offered":
            agent = str(d.get("agent_id", ""))
            w.offers[str(d.get("offer_id", ""))] = (w.queue, agent)
            yield Sample("offered", w.queue, ts, agent)
        elif step.kind in ("declined", "missed"):
            queue, agent = w.offers.get(str(d.get("offer_id", "")), (w.queue, str(d.get("agent_id", ""))))
            yield Sample(step.kind, queue, ts, agent)
        elif step.kind == "cobrowse":  # a co-browse session the customer allowed
            yield Sample("cobrowse", w.queue, ts)
        elif step.kind == "accepted":
            yield from _accepted(w, d, ts)
        elif step.kind == "transferred":
            yield Sample("transferred", str(d.get("from_queue") or w.queue), ts)
            if d.get("to_queue"):
                yield from w.end_stretch(ts)
        elif step.kind == "closed":
            if w.waiting:
                yield Sample("abandoned", w.queue, ts)
            yield from w.end_stretch(ts)
            w.waiting = False
            if w.handled and history.rating is not None:
                yield Sample("rating", w.queue, ts, value=float(history.rating))


def _accepted(w: _Walk, d: dict[str, Any], ts: float) -> Iterator[Sample]:
    if d.get("claimed"):
        w.claimed = True
        yield Sample("claimed", w.queue, ts, str(d.get("agent_id", "")))
    offer = str(d.get("offer_id", ""))
    if offer in w.offers:
        queue, agent = w.offers[offer]
        yield Sample("accepted", queue, ts, agent)
    if not d.get("transfer_from"):
        if "waited" in d:
            yield Sample("wait", w.queue, ts, value=float(d["waited"]))
        w.waiting, w.handled, w.since, w.stretch_queue = False, True, ts, w.queue
