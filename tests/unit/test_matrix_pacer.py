"""The bot's pacer after the homeserver said M_LIMIT_EXCEEDED: the waiting senders, refused ones included, go
one pace slot apart, not as a herd that the homeserver's full bucket refuses again; and the burst comes back as
the homeserver's bucket drains."""

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any, cast

from nio import (
    AsyncClient,
    RoomCreateError,
    RoomCreateResponse,
    RoomLeaveError,
    RoomLeaveResponse,
    RoomSendError,
    RoomSendResponse,
)
from redis.asyncio import Redis

from adapters.matrix.dms import DirectRooms
from adapters.matrix.pacer import Pacer
from adapters.matrix.poster import Poster
from adapters.matrix.session import Session
from bridge.config.agents import AgentConfig
from bridge.config.matrix import MatrixConfig
from bridge.keys import Keys


async def acquired_at(pacer: Pacer, senders: int) -> list[float]:
    times: list[float] = []

    async def send() -> None:
        await pacer.acquire()
        times.append(time.monotonic())

    await asyncio.gather(*(send() for _ in range(senders)))
    return sorted(times)


async def test_after_a_hold_sends_go_one_slot_apart() -> None:
    pacer = Pacer(per_second=20, burst=5)  # a slot is 50 ms; our bucket is full
    pacer.hold(100)
    held_until = time.monotonic() + 0.1
    times = await acquired_at(pacer, 10)
    assert times[0] >= held_until - 0.01
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.045, f"sends released together after a hold: gaps {gaps}"
    assert pacer.limit_hits == 1


async def test_without_a_hold_the_burst_goes_at_once_and_spacing_ends_when_the_bucket_refills() -> None:
    pacer = Pacer(per_second=20, burst=5)
    pacer.hold(1)
    await acquired_at(pacer, 2)
    await asyncio.sleep(5 * 0.05 + 0.1)  # the homeserver's bucket (5 x 50 ms) has filled again
    times = await acquired_at(pacer, 5)
    assert times[-1] - times[0] < 0.045, "a refilled bucket takes its burst again"


async def test_after_a_hold_the_burst_comes_back_as_the_homeservers_bucket_drains_under_steady_traffic() -> None:
    pacer = Pacer(per_second=20, burst=5)  # a slot is 50 ms, the homeserver's bucket drains in 250 ms
    pacer.hold(1)
    for _ in range(12):  # a send every 150 ms, a third of the pace: the homeserver's bucket is empty after it
        await pacer.acquire()
        await asyncio.sleep(0.15)
    times = await acquired_at(pacer, 4)
    assert times[-1] - times[0] < 0.045, "the bot kept spacing its sends long after the homeserver's bucket drained"


class LimitedHomeserver:
    """Synapse's `rc_message` for one user: a burst, drained at a rate; a refused send costs nothing."""

    def __init__(self, per_second: float, burst: int, spent: bool = True,
                 latency: Callable[[str], float] = lambda tx_id: 0.01) -> None:
        """`spent`: the bucket starts full, as after the bridge restarted. `latency`: a send's way there."""
        self.per_second, self.burst, self.latency = per_second, burst, latency
        self.count, self.at = float(burst if spent else 0), time.monotonic()
        self.sent: list[str] = []
        self.refused = 0

    async def room_send(self, room_id: str, event_type: str, body: dict[str, Any], tx_id: str) -> object:
        await asyncio.sleep(self.latency(tx_id))
        wait_ms = self._take(tx_id)
        await asyncio.sleep(0.01)  # and back
        if wait_ms:
            return RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=wait_ms)
        return RoomSendResponse(f"$event{len(self.sent)}", room_id)

    async def room_leave(self, room_id: str) -> object:
        """Synapse counts a membership change (leaving, rejecting an invite) against the same limit."""
        await asyncio.sleep(0.01)
        wait_ms = self._take(f"leave {room_id}")
        await asyncio.sleep(0.01)
        if wait_ms:
            return RoomLeaveError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=wait_ms)
        return RoomLeaveResponse()

    async def room_create(self, **_: Any) -> object:
        """Synapse counts a room creation against the same limit."""
        await asyncio.sleep(0.01)
        wait_ms = self._take("create")
        await asyncio.sleep(0.01)
        if wait_ms:
            return RoomCreateError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=wait_ms)
        return RoomCreateResponse("!dm:hs")

    def _take(self, what: str) -> int:
        """0 when the bucket takes one more; else the milliseconds until it would."""
        now = time.monotonic()
        count = max(0.0, self.count - (now - self.at) * self.per_second)
        if count + 1 > self.burst:
            self.refused += 1
            return math.ceil((count + 1 - self.burst) / self.per_second * 1000)
        self.count, self.at = count + 1, now
        self.sent.append(what)
        return 0


async def test_sends_refused_together_retry_one_slot_apart() -> None:
    """The outbox takes its slot before the batch and sends unpaced: its retries after a refusal must still
    take slots of their own, or they all retry when the hold ends and all but one are refused again."""
    homeserver = LimitedHomeserver(per_second=20, burst=5)
    pacer = Pacer(per_second=20, burst=5)
    poster = Poster(cast(AsyncClient, homeserver), pacer)

    async def outbox_send(n: int) -> None:
        await pacer.acquire()
        await poster.send("!room:hs", {"msgtype": "m.text", "body": str(n)}, f"tx{n}", paced=False)

    await asyncio.gather(*(outbox_send(n) for n in range(8)))
    assert sorted(homeserver.sent) == [f"tx{n}" for n in range(8)]
    assert homeserver.refused <= 5, f"{homeserver.refused} refusals: more than the first burst in flight"


async def test_sends_at_the_limit_are_not_refused_when_one_reaches_the_homeserver_sooner_than_the_last() -> None:
    """The homeserver counts a send when it arrives, the pacer when it lets it go: with the bucket full, a send
    that gets there sooner than the burst before it did (a busy homeserver, composing, the network) must still
    find room. Seen in the paced bench: one refusal in 13 sends while a chat opened."""
    homeserver = LimitedHomeserver(per_second=4, burst=5, spent=False,  # a slot is 250 ms, the leeway 125 ms
                                   latency=lambda tx_id: 0.1 if int(tx_id[2:]) < 5 else 0.02)
    poster = Poster(cast(AsyncClient, homeserver), Pacer(per_second=4, burst=5))
    await asyncio.gather(*(poster.send("!room:hs", {"msgtype": "m.text", "body": str(n)}, f"tx{n}")
                           for n in range(9)))
    assert len(homeserver.sent) == 9
    assert homeserver.refused == 0, f"{homeserver.refused} sends refused at the limit"


async def test_a_csrs_direct_room_is_made_while_sends_keep_the_homeservers_bucket_full(redis: Redis) -> None:
    """Synapse counts a room creation as one of the bot's messages. Unpaced, it came when the sends had taken
    each slot as it freed and was refused until they ran out (a minute in the paced bench, offers failing)."""
    homeserver = LimitedHomeserver(per_second=20, burst=5)
    client = cast(AsyncClient, homeserver)
    pacer = Pacer(per_second=20, burst=5)
    poster = Poster(client, pacer)
    dms = DirectRooms(client, pacer, poster, redis, Keys(prefix="pacer-test"))
    sends = [poster.send("!room:hs", {"msgtype": "m.text", "body": str(n)}, f"tx{n}") for n in range(10)]
    room, *_ = await asyncio.gather(dms.room_for(AgentConfig(id="ann", display_name="Ann",
                                                             matrix_user_id="@ann:hs")), *sends)
    assert room == "!dm:hs" and "create" in homeserver.sent


async def test_invites_declined_while_sends_keep_the_homeservers_bucket_full_take_slots(redis: Redis) -> None:
    """Rejecting a stranger's invite is a leave, which Synapse counts as one of the bot's messages: unpaced, a
    run of invites took slots the chats' posts were owed, and each refused leave was an error, not a wait."""
    homeserver = LimitedHomeserver(per_second=20, burst=5)
    client = cast(AsyncClient, homeserver)
    poster = Poster(client, Pacer(per_second=20, burst=5))
    session = Session(client, poster, redis, Keys(prefix="pacer-test"), MatrixConfig())
    sends = [poster.send("!room:hs", {"msgtype": "m.text", "body": str(n)}, f"tx{n}") for n in range(10)]
    await asyncio.gather(*(session.decline(f"!spam{n}:hs") for n in range(4)), *sends)
    assert sorted(s for s in homeserver.sent if s.startswith("leave")) == [f"leave !spam{n}:hs" for n in range(4)]
    assert len(homeserver.sent) == 14
    assert homeserver.refused <= 5, f"{homeserver.refused} refusals: more than the first burst in flight"
