"""Platform errors no retry can fix: a person has to act (reinstall, invite the bot back, unarchive, add a scope).

One mechanism for every CSR platform: each problem is logged loudly, kept in Redis (so every process's /readyz
shows it) and reported to the supervisors once; it is cleared by the next call that works where it failed. The
work that failed is not dropped: the caller raises, and delivery keeps retrying with backoff until someone fixes
the cause (or, for a new thread, tries the queue's next channel or room: bridge.thread_root).

An adapter says which of its platform's errors concern the whole account, which one channel or room (a
"place"), and how to fix each; any other error concerns the method that failed. An adapter may keep plain
sentences of its own in the same hash (Matrix's failed joins and held outboxes); they are shown as they are.
"""

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field

from redis.asyncio import Redis

from bridge.clock import now
from bridge.keys import Keys
from bridge.redis_text import text_list

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProblemKinds:
    """One platform's errors that need a person, sorted by what a later success proves fixed."""

    platform: str
    """The platform's adapter name ("slack", "matrix"): the Redis hash and metrics use it."""
    shown: str
    """Its name as people read it ("Slack")."""
    account: frozenset[str]
    """Errors of the token or the app: any call that works clears them."""
    place: frozenset[str]
    """Errors of one channel or room: a call that works there clears them."""
    fixes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    error: str
    method: str
    place: str
    """The channel or room it concerns; empty for the account or a method."""
    fix: str
    since: float


Reporter = Callable[[Problem], Awaitable[None]]


class NeedsPerson(Exception):
    def __init__(self, shown: str, error: str, method: str, place: str, fix: str) -> None:
        super().__init__(f"{shown} {method} failed with {error}{f' in {place}' if place else ''} "
                         f"({fix or 'needs a person'})")
        self.error = error
        self.method = method
        self.place = place
        """Set when the error concerns this channel or room only, so the queue's others may still work."""


class PlatformErrors:
    def __init__(self, redis: Redis, keys: Keys, kinds: ProblemKinds) -> None:
        self._redis = redis
        self._kinds = kinds
        self._key = keys.platform_errors(kinds.platform)
        self._maybe_some = True
        """False once we know Redis holds none of ours, so a working call costs no Redis round trip."""
        self.reporter: Reporter | None = None

    async def record(self, error: str, method: str, place: str, fix: str = "") -> NeedsPerson:
        """Keeps the problem, reports it the first time, and returns the exception for the caller to raise."""
        where = place if error in self._kinds.place else ""
        problem = Problem(error, method, where, fix or self._kinds.fixes.get(error, ""), now())
        self._maybe_some = True
        new = await self._redis.hsetnx(self._key, f"{error}|{method}|{where}", json.dumps(asdict(problem)))
        shown = self._kinds.shown
        if new:
            log.error("%s NEEDS A PERSON: %s failed with %s%s; fix: %s", shown.upper(), method, error,
                      f" in {where}" if where else "", problem.fix)
            await self._report(problem)
        else:
            log.warning("%s %s still fails with %s%s", shown, method, error, f" in {where}" if where else "")
        return NeedsPerson(shown, error, method, where, problem.fix)

    async def cleared_by_success(self, method: str, place: str) -> None:
        """A call that works proves the token (and this method's scope, and this place) fine again."""
        if not self._maybe_some:
            return
        ours = [f for f in text_list(await self._redis.hkeys(self._key)) if f.count("|") == 2]
        stale = [f for f in ours if self._fixed_by(f, method, place)]
        if stale:
            await self._redis.hdel(self._key, *stale)
            log.info("%s works again; cleared: %s", self._kinds.shown, ", ".join(stale))
        self._maybe_some = len(ours) > len(stale)

    async def current(self) -> list[Problem]:
        """The problems recorded here, oldest first (an adapter's own sentences left out)."""
        problems, _ = await self._read()
        return problems

    async def detail(self) -> str:
        """Everything in the hash, for /readyz; empty when nothing needs a person."""
        problems, sentences = await self._read()
        shown = [f"{p.method}: {p.error}" + (f" in {p.place}" if p.place else "") + f" ({p.fix})" for p in problems]
        return "; ".join([*shown, *sorted(set(sentences))])

    async def _read(self) -> tuple[list[Problem], list[str]]:
        problems: list[Problem] = []
        sentences: list[str] = []
        for value in text_list(await self._redis.hvals(self._key)):
            problem = _parse(value)
            if problem is None:
                sentences.append(value)
            else:
                problems.append(problem)
        self._maybe_some = bool(problems)
        return sorted(problems, key=lambda p: p.since), sentences

    def _fixed_by(self, field_name: str, method: str, place: str) -> bool:
        error, failed_method, where = field_name.split("|", 2)
        if error in self._kinds.account:
            return True
        if where:
            return where == place
        return failed_method == method

    async def _report(self, problem: Problem) -> None:
        if self.reporter is None:
            return
        try:
            await self.reporter(problem)
        except Exception:  # the report is best effort; the problem itself is logged and on /readyz
            log.exception("could not report the %s problem to the supervisors", self._kinds.shown)


def problem_text(shown: str, problem: Problem) -> str:
    """The alert as plain text, for any platform."""
    where = f" in {problem.place}" if problem.place else ""
    return (f"CSR Bridge can't use {shown}: {problem.method} fails with {problem.error}{where}. Fix: {problem.fix}. "
            "Chats waiting on it are kept and delivered once it is fixed.")


def _parse(value: str) -> Problem | None:
    """A recorded problem, or None for an adapter's own sentence. Entries written before places had their
    name kept theirs as `channel`."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or "error" not in data:
        return None
    return Problem(str(data["error"]), str(data.get("method", "")), str(data.get("place", data.get("channel", ""))),
                   str(data.get("fix", "")), float(data.get("since", 0.0)))
