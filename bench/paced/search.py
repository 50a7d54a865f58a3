"""The most open chats for which a trial passes: ramp from an estimate by 25% until a trial passes and one
fails, then bisect between them, within a number of trials (each costs a warm-up and a measuring window);
up to two more while no trial has failed, since until then the figure is only a lower bound."""

from collections.abc import Awaitable, Callable

from bench.paced.trial import Trial

STEP = 1.25
EXTRA_UNTIL_FAILED = 2


def next_size(tried: int, passed: int, failed: int | None) -> int | None:
    """The next number of chats to try, given the largest that passed and the smallest that failed; None: done."""
    if failed is None:
        return max(tried + 1, round(tried * STEP))
    n = (passed + failed) // 2 if passed else min(failed - 1, round(failed / STEP))
    return n if passed < n < failed else None


async def capacity(measure: Callable[[int], Awaitable[Trial]], start: int, trials: int) -> list[Trial]:
    done: list[Trial] = []
    n: int | None = start
    passed, failed = 0, None
    while n is not None and (len(done) < trials or (failed is None and len(done) < trials + EXTRA_UNTIL_FAILED)):
        trial = await measure(n)
        done.append(trial)
        if trial.passed:
            passed = max(passed, n)
        else:
            failed = n if failed is None else min(failed, n)
        n = next_size(n, passed, failed)
    return done


def best(trials: list[Trial]) -> Trial | None:
    """The trial with the most chats that passed."""
    return max((t for t in trials if t.passed), key=lambda t: t.chats, default=None)
