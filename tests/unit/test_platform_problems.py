"""The core's one mechanism for problems only a person can fix, on real Redis: what a later success clears,
what is reported and to whom, and an adapter's own sentences kept beside the problems."""

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from redis.asyncio import Redis

from bridge.config.agents import AgentConfig
from bridge.keys import Keys
from bridge.platform_problems import PlatformErrors, Problem, ProblemKinds
from bridge.ports import AgentSurface
from bridge.supervisor_alerts import SupervisorAlerts
from testkit.configs import make_config

KINDS = ProblemKinds(platform="chatland", shown="Chatland", account=frozenset({"bad_token"}),
                     place=frozenset({"kicked"}), fixes={"kicked": "invite the bot back"})


async def test_each_problem_is_cleared_by_what_proves_it_fixed(redis: Redis) -> None:
    errors, reported = PlatformErrors(redis, Keys(prefix="t"), KINDS), []

    async def report(problem: Problem) -> None:
        reported.append(problem)

    errors.reporter = report
    raised = await errors.record("kicked", "send", "room-a")
    assert (raised.error, raised.place) == ("kicked", "room-a")
    await errors.record("kicked", "send", "room-a")
    await errors.record("no_scope", "upload", "room-a", fix="add the scope")
    assert [(p.error, p.place) for p in reported] == [("kicked", "room-a"), ("no_scope", "")], "each once"

    await errors.cleared_by_success("send", "room-b")
    assert {p.error for p in await errors.current()} == {"kicked", "no_scope"}, "another room proves nothing"
    await errors.cleared_by_success("send", "room-a")
    assert [p.error for p in await errors.current()] == ["no_scope"]
    await errors.cleared_by_success("upload", "room-b")
    assert await errors.current() == []

    await errors.record("bad_token", "send", "room-a")
    await errors.cleared_by_success("other", "")
    assert await errors.current() == [], "any call that works proves the token"


async def test_an_adapters_own_sentences_are_shown_and_left_alone(redis: Redis) -> None:
    keys = Keys(prefix="t")
    errors = PlatformErrors(redis, keys, KINDS)
    await redis.hset(keys.platform_errors("chatland"), "room:#x", "the bot cannot join #x")
    await errors.record("kicked", "send", "room-a")
    assert await errors.detail() == "send: kicked in room-a (invite the bot back); the bot cannot join #x"
    await errors.cleared_by_success("send", "room-a")
    assert await errors.detail() == "the bot cannot join #x"


class Notices:
    """The AgentSurface port's two calls an alert uses, recorded."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[tuple[str, str]] = []

    def reaches(self, agent: AgentConfig) -> bool:
        return True

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        self.sent.append((agent.id, text))


async def test_supervisors_hear_on_the_platform_itself_else_on_the_others(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    own, other = Notices("chatland"), Notices("elsewhere")
    surfaces = {"chatland": cast(AgentSurface, own), "elsewhere": cast(AgentSurface, other)}
    problem = Problem("kicked", "send", "room-a", "invite the bot back", 0.0)
    outcomes: list[bool | Exception] = [True, False, RuntimeError("chatland is down")]
    told: list[list[str]] = []

    async def on_chatland(_: Problem, supervisors: Sequence[AgentConfig]) -> bool:
        told.append([a.id for a in supervisors])
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    alerts = SupervisorAlerts(config, surfaces, KINDS, on_chatland)
    await alerts(problem)
    assert told == [["sam"]] and other.sent == []
    await alerts(problem)
    await alerts(problem)
    assert other.sent == [("sam", "CSR Bridge can't use Chatland: send fails with kicked in room-a. Fix: invite the "
                                  "bot back. Chats waiting on it are kept and delivered once it is fixed.")] * 2
    assert own.sent == [], "never through the platform that needs the person"
