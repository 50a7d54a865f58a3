"""Random sequences of escalations, presence changes, joins and leaves, accepts, declines, timeouts,
transfers, closes and overflow/idle timers across many CSRs; the invariants hold after every step:
no CSR over capacity, no chat with two owners, every chat in exactly one consistent state, no
waiting chat left waiting while an eligible CSR has room, and every chat not waiting on a CSR on an
idle timer (so each has a way to end). Timers are called directly here (the RQ tests check that real
workers fire them)."""

import asyncio
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from bridge.bootstrap import bootstrap, connect_redis
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Presence
from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.offer import Offer
from testkit.configs import make_config
from tests.routing.helpers import Clock

QUEUES = [
    {"name": "general", "display_name": "General", "offer_timeout": 20, "max_wait": 300},
    {"name": "vip", "display_name": "VIP", "strategy": "broadcast", "skills": ["vip"], "overflow": "general"},
    {"name": "rr", "display_name": "Round robin", "strategy": "round-robin", "overflow": "general"},
    {"name": "idle", "display_name": "Longest idle", "strategy": "longest-idle", "skills": ["tech"]},
]
AGENTS = [
    {"id": "a0", "display_name": "A0", "queues": ["general", "vip"], "skills": ["vip"], "capacity": 1},
    {"id": "a1", "display_name": "A1", "queues": ["general", "rr", "idle"], "skills": ["tech"], "capacity": 2},
    {"id": "a2", "display_name": "A2", "queues": ["vip", "rr"], "skills": ["vip"], "capacity": 3},
    {"id": "a3", "display_name": "A3", "queues": ["general", "idle", "vip"], "skills": ["tech"], "capacity": 2},
    {"id": "a4", "display_name": "A4", "queues": ["rr", "idle"], "skills": ["tech", "vip"], "capacity": 1},
    {"id": "a5", "display_name": "A5", "role": "supervisor", "queues": ["general", "vip", "rr", "idle"],
     "skills": ["vip", "tech"], "capacity": 2},
]
AGENT_IDS = [a["id"] for a in AGENTS]
QUEUE_NAMES = [q["name"] for q in QUEUES]
STATES = set(ChatState)


def machine_config(base_dir: Path, redis_url: str) -> BridgeConfig:
    return make_config(base_dir, redis_url, queues=QUEUES, agents=AGENTS, widget={"topics": []},
                       knowledge={"phrases": []}, routing={"missed_offers_before_away": 2})


def has_chats(machine: "RoutingMachine") -> bool:
    """A named precondition: describing a lambda makes hypothesis parse this file's source with `ast`, which
    CPython 3.11 can fail deep in a stack ("AST constructor recursion depth mismatch"), a flaky SystemError."""
    return bool(machine.chats)


class RoutingMachine(RuleBasedStateMachine):
    redis_url = ""
    base_dir = Path()
    """The test's own folder (the config's data_dir lives there)."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.redis = connect_redis(self.redis_url)
        self.run(self.redis.flushdb())
        self.config = machine_config(self.base_dir, self.redis_url)
        self.app = bootstrap(self.config, self.redis, self.redis_url)
        self.clock = Clock()
        self.clock.tick(10 * 86400)  # ahead of real stream ids, so an idle check never sees a customer reply
        self.app.router.clock = self.clock
        self.chats: list[str] = []

    def run(self, coro):  # noqa: ANN001, ANN201 - runs one coroutine on this machine's loop
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        self.run(self.redis.aclose())
        self.loop.close()

    # reads

    async def _pending(self) -> list[Offer]:
        ids = await self.app.router.state.pending_offer_ids()
        return [o for o in [await self.app.router.state.offer(i) for i in ids] if o is not None]

    def pending(self) -> list[Offer]:
        return self.run(self._pending())

    def chats_in(self, *states: ChatState) -> list[str]:
        async def read() -> list[str]:
            return [c for c in self.chats if (await self.app.chats.get(c)).state in states]

        return self.run(read())

    # rules

    @rule(queue=st.sampled_from(QUEUE_NAMES), priority=st.integers(0, 3), escalate=st.booleans())
    def start(self, queue: str, priority: int, escalate: bool) -> None:
        async def go() -> str:
            chat = Chat(id=f"c{len(self.chats):03d}", customer=Customer(name="C"), topic="t", queue=queue,
                        priority=priority, created_at=self.clock())  # ids fixed so every replay draws alike
            await self.app.chats.create(chat)
            await self.app.router.opened(chat.id)
            if escalate:
                await self.app.service.escalate(chat.id)
            return chat.id

        self.chats.append(self.run(go()))

    @rule(agent=st.sampled_from(AGENT_IDS), presence=st.sampled_from(list(Presence)))
    def presence(self, agent: str, presence: Presence) -> None:
        self.run(self.app.router.set_presence(self.config.agent(agent), presence))

    @rule(agent=st.sampled_from(AGENT_IDS), data=st.data(), join=st.booleans())
    def membership(self, agent: str, data: st.DataObject, join: bool) -> None:
        cfg = self.config.agent(agent)
        queue = data.draw(st.sampled_from([q for q in cfg.queues]))
        if join and set(self.config.queue(queue).skills) <= set(cfg.skills):
            self.run(self.app.router.join(cfg, queue))
        elif not join:
            self.run(self.app.router.leave(cfg, queue))

    @precondition(has_chats)
    @rule(data=st.data())
    def answer(self, data: st.DataObject) -> None:
        offers = self.pending()
        if not offers:
            return
        offer = data.draw(st.sampled_from(offers))
        agent = self.config.agent(offer.agent_id)
        action = data.draw(st.sampled_from(["accept", "decline", "timeout", "wrong"]))
        late = self.clock() > offer.deadline
        if action == "accept":
            status = self.run(self.app.router.accept(offer.id, agent, "test")).status
            assert status == ("expired" if late else "accepted")
        elif action == "decline":
            status = self.run(self.app.router.decline(offer.id, agent)).status
            assert status == ("expired" if late else "declined")
        elif action == "timeout":
            self.clock.t = max(self.clock.t, offer.deadline + 0.001)
            assert self.run(self.app.router.expire(offer.id)).status == "expired"
        else:
            other = self.config.agent(data.draw(st.sampled_from([a for a in AGENT_IDS if a != offer.agent_id])))
            assert self.run(self.app.router.accept(offer.id, other, "test")).status == "not_yours"

    @rule(data=st.data())
    def transfer(self, data: st.DataObject) -> None:
        active = self.chats_in(ChatState.ACTIVE)
        if not active:
            return
        chat = self.run(self.app.chats.get(data.draw(st.sampled_from(active))))
        if data.draw(st.booleans()):
            target = self.config.agent(data.draw(st.sampled_from(AGENT_IDS)))
            status = self.run(self.app.router.transfer_to_agent(chat.id, chat.agent_id, target, "n", "x")).status
            assert status in {"offered", "pending", "unavailable", "full", "self"}
        else:
            queue = data.draw(st.sampled_from(QUEUE_NAMES))
            status = self.run(self.app.router.transfer_to_queue(chat.id, chat.agent_id, queue, "n", "x")).status
            assert status in {"queued", "nobody_signed_in"}  # a queue nobody could take refuses it

    @precondition(has_chats)
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        chat_id = data.draw(st.sampled_from(self.chats))
        status = self.run(self.app.router.close_chat(chat_id, "test", "x")).status
        assert status in {"closed", "already"}

    @rule(data=st.data())
    def timer(self, data: st.DataObject) -> None:
        """A max-wait or idle timer fires (at or after its due time); stale ones must do nothing."""
        timers = self.run(self.redis.zrange(self.app.keys.routing_timers, 0, -1, withscores=True))
        timers = [(m, d) for m, d in timers if not m.startswith("offer:")]
        if not timers:
            return
        member, due = data.draw(st.sampled_from(timers))
        self.clock.t = max(self.clock.t, due + 0.001)
        assert self.run(self.app.router.fire(member)).status != "early"

    @rule(seconds=st.floats(0, 60))
    def time_passes(self, seconds: float) -> None:
        self.clock.tick(seconds)

    # invariants

    @invariant()
    def consistent(self) -> None:
        self.run(self._check())

    async def _check(self) -> None:
        k, state = self.app.keys, self.app.router.state
        agents = {a: await state.agent(a) for a in AGENT_IDS}
        owned: dict[str, str] = {}
        for agent_id, a in agents.items():
            if a is None:
                continue
            chats = await state.agent_chat_ids(agent_id)
            offers = await state.agent_offer_ids(agent_id)
            assert a.load == len(chats) and a.pending == len(offers), agent_id
            assert a.load + a.pending <= a.capacity, f"{agent_id} over capacity"
            for c in chats:
                assert c not in owned, f"chat {c} has two owners"
                owned[c] = agent_id
        waiting = {q: set(await state.waiting(q)) for q in QUEUE_NAMES}
        pending = await self._pending()
        assert {o.id for o in pending} == set(await state.pending_offer_ids())
        for chat_id in self.chats:
            chat = await self.app.chats.get(chat_id)
            assert chat.state in STATES
            in_lines = [q for q, members in waiting.items() if chat_id in members]
            offers = [o for o in pending if o.chat_id == chat_id]
            assert set(await state.chat_offer_ids(chat_id)) == {o.id for o in offers}
            if chat.state == ChatState.WAITING:
                assert in_lines == [chat.queue] and not offers and chat_id not in owned
            elif chat.state == ChatState.OFFERED:
                assert not in_lines and offers and chat_id not in owned
                assert all(not o.transfer_from for o in offers)
            elif chat.state == ChatState.ACTIVE:
                assert not in_lines and owned.get(chat_id) == chat.agent_id
                assert all(o.transfer_from == chat.agent_id for o in offers) and len(offers) <= 1
            else:
                assert not in_lines and not offers and chat_id not in owned
            if chat.state == ChatState.CLOSED:
                assert chat_id not in await self.app.chats.open_ids()
            idle = await self.redis.zscore(k.routing_timers, f"idle:{chat_id}")
            if chat.state in (ChatState.BOT, ChatState.ACTIVE, ChatState.MESSAGE):
                assert idle is not None, f"{chat.state} chat {chat_id} has no idle timer: it would never end"
            elif chat.state == ChatState.CLOSED:
                assert idle is None
        for queue, members in waiting.items():
            if not members:
                continue
            skills = set(self.config.queue(queue).skills)
            for agent_id, a in agents.items():
                if a is None or a.presence != Presence.AVAILABLE or queue not in a.queues:
                    continue
                assert skills <= set(self.config.agent(agent_id).skills)
                assert a.load + a.pending >= a.capacity, f"{queue} has waiting chats while {agent_id} has room"
        for queue in QUEUE_NAMES:
            ready = {m.partition(":")[2] for m in await self.redis.zrange(k.queue_ready(queue), 0, -1)}
            expected = {a for a, s in agents.items() if s and s.presence == Presence.AVAILABLE
                        and queue in s.queues and s.load + s.pending < s.capacity}
            assert ready == expected, queue


def test_routing_invariants_hold_under_random_sequences(tmp_path: Path, redis_url: str) -> None:
    RoutingMachine.redis_url = redis_url
    RoutingMachine.base_dir = tmp_path
    RoutingMachine.TestCase.settings = settings(
        max_examples=60, stateful_step_count=40, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    RoutingMachine.TestCase().runTest()
