"""A generated history of known chats, driven through the real router on a hand-moved clock.

Each chat follows a script (offers declined, missed, accepted; transfers to a queue or a CSR; the
customer leaving while waiting; the CSR ending it; a rating). The simulation logs what it did and
when, in its own terms, so a test can work out every figure without the report's code.
"""

import random
from collections.abc import Awaitable
from dataclasses import dataclass, field

from bridge.app import BridgeApp
from bridge.commands.replies import Reply, Text
from bridge.domain.chat import Chat, Customer
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind
from bridge.domain.offer import Offer
from tests.routing.helpers import Clock, all_offers
from tests.supervision.helpers import run


@dataclass(frozen=True)
class Logged:
    kind: str
    queue: str
    ts: float
    agent: str = ""
    value: float = 0.0


@dataclass
class Script:
    start: float
    queue: str
    steps: list[str]
    rating: int | None = None


@dataclass
class Simulation:
    app: BridgeApp
    clock: Clock
    log: list[Logged] = field(default_factory=list)
    chats: dict[str, Chat] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    rated: set[str] = field(default_factory=set)
    handled: set[str] = field(default_factory=set)

    async def play(self, script: Script) -> str:
        self.clock.t = script.start
        chat = await self.app.service.start_chat(Customer(name=f"Customer {len(self.chats)}"), "question",
                                                 script.queue, 0, "hello")
        await self.app.service.escalate(chat.id)
        self.chats[chat.id] = chat
        state = _State(queue=script.queue, escalated=self.clock.t)
        self._note("queued", state.queue)
        for step in script.steps:
            await self._step(chat.id, step, state)
        if script.rating is not None:
            await self.app.stream.append(ChatEvent(
                chat_id=chat.id, kind=EventKind.RATING, ts=self.clock.t + 5, data={"score": script.rating},
                author=Author(kind=AuthorKind.CUSTOMER, id=chat.id, name="c"), client_msg_id="rating"))
            self.rated.add(chat.id)
            if state.handled:
                self.log.append(Logged("rating", state.queue, state.closed_at, value=script.rating))
        if state.handled:
            self.handled.add(chat.id)
        return chat.id

    def _note(self, kind: str, queue: str, agent: str = "", value: float = 0.0) -> None:
        self.log.append(Logged(kind, queue, self.clock.t, agent, value))

    async def _offer(self, chat_id: str) -> Offer:
        [offer] = [o for o in await all_offers(self.app, chat_id) if o.state == "pending"]
        self.log.append(Logged("offered", offer.queue, offer.created_at, offer.agent_id))
        return offer

    async def _pending(self, chat_id: str) -> None:
        """Offers routing made on its own (after a decline or a miss) that no later step answers."""
        for offer in await all_offers(self.app, chat_id):
            if offer.state == "pending":
                self.log.append(Logged("offered", offer.queue, offer.created_at, offer.agent_id))

    async def _step(self, chat_id: str, step: str, s: "_State") -> None:
        verb, _, arg = step.partition(":")
        if verb == "decline":
            offer = await self._offer(chat_id)
            self.clock.tick(7)
            await _ok(run(self.app, offer.agent_id, f"csr decline {offer.id}"))
            self._note("declined", offer.queue, offer.agent_id)
        elif verb == "miss":
            offer = await self._offer(chat_id)
            self.clock.t = offer.deadline + 0.001
            assert (await self.app.router.expire(offer.id)).status == "expired"
            self._note("missed", offer.queue, offer.agent_id)
        elif verb == "accept":
            offer = await self._offer(chat_id)
            self.clock.tick(float(arg or 12))
            await _ok(run(self.app, offer.agent_id, f"csr accept {offer.id}"))
            self._note("accepted", offer.queue, offer.agent_id)
            self._note("wait", s.queue, value=self.clock.t - s.escalated)
            s.owner, s.since, s.stretch_queue, s.handled = offer.agent_id, self.clock.t, s.queue, True
        elif verb == "to_agent":
            target = arg if arg != s.owner else "alice"
            self.clock.tick(30)
            await _ok(run(self.app, s.owner, f"csr transfer {chat_id} @{target}"))
            offer = await self._offer(chat_id)
            self.clock.tick(4)
            await _ok(run(self.app, target, f"csr accept {offer.id}"))
            self._note("accepted", offer.queue, target)
            self._note("transferred", s.queue)
            s.owner = target
        elif verb == "to_queue":
            self.clock.tick(45)
            await _ok(run(self.app, s.owner, f"csr transfer {chat_id} {arg}"))
            self._note("transferred", s.queue)
            self._note("handle", s.stretch_queue, value=self.clock.t - s.since)
            s.queue, s.escalated, s.owner = arg, self.clock.t, ""
            self._note("queued", s.queue)
        elif verb == "hold":
            await self._pending(chat_id)
        elif verb == "abandon":
            await self._pending(chat_id)
            self.clock.tick(float(arg or 20))
            await self.app.service.close(chat_id, "customer_ended", "customer")
            self._note("abandoned", s.queue)
            s.closed_at = self.clock.t
            self.closed.append(chat_id)
        elif verb == "close":
            self.clock.tick(float(arg or 300))
            await _ok(run(self.app, s.owner, f"csr end {chat_id}"))
            self._note("handle", s.stretch_queue, value=self.clock.t - s.since)
            s.closed_at = self.clock.t
            self.closed.append(chat_id)
        else:
            raise ValueError(step)


async def _ok(reply: Awaitable[Reply]) -> None:
    answer = await reply
    assert isinstance(answer, Text) and not answer.error, answer


@dataclass
class _State:
    queue: str
    escalated: float
    owner: str = ""
    since: float = 0.0
    stretch_queue: str = ""
    handled: bool = False
    closed_at: float = 0.0


def scripts(start: float, end: float, seed: int = 7) -> list[Script]:
    """Chats spread over [start, end), one after another, with a mix of every outcome."""
    rnd = random.Random(seed)
    shapes = [
        ["accept:15", "close:240"], ["decline", "accept:22", "close:600"], ["miss", "accept:5", "close:120"],
        ["accept:25", "to_queue:billing", "accept:20", "close:300"], ["abandon:40"], ["decline", "abandon:15"],
        ["accept:8", "to_agent:carol", "close:420"], ["miss", "decline", "accept:17", "close:900"],
    ]
    out, t = [], start
    step = (end - start) / 40
    for n in range(40):
        shape = shapes[n % len(shapes)]
        queue = "billing" if n % 3 == 0 and "to_queue:billing" not in shape else "general"
        if "to_agent:carol" in shape:
            queue = "general"
        out.append(Script(start=t + rnd.uniform(0, step / 4), queue=queue, steps=list(shape),
                          rating=rnd.choice([None, 3, 4, 5]) if "close" in shape[-1] else None))
        t += step
    return out
