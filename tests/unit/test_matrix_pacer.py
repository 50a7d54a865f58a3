"""The bot's pacer after the homeserver said M_LIMIT_EXCEEDED: the waiting senders go one pace slot apart, not
as a herd that the homeserver's empty bucket refuses again."""

import asyncio
import time

from adapters.matrix.pacer import Pacer


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
