"""Tells the supervisors when a platform needs a person: on that platform first (its supervisors' channel or
room, else their DMs there), else on the other platforms that reach them.

When the platform itself refuses (a revoked token), the other surfaces carry the alert instead; the problem
is on /readyz and in the log either way (bridge.platform_problems).
"""

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Role
from bridge.platform_problems import Problem, ProblemKinds, problem_text
from bridge.ports import AgentSurface

log = logging.getLogger(__name__)

OwnAlert = Callable[[Problem, Sequence[AgentConfig]], Awaitable[bool]]
"""The platform's own way to alert the supervisors given; False when it reaches none of them. It must not
record its own failure as a problem (a broken alert channel would loop)."""


class SupervisorAlerts:
    def __init__(self, config: BridgeConfig, surfaces: Mapping[str, AgentSurface], kinds: ProblemKinds,
                 own: OwnAlert) -> None:
        """`surfaces`: every platform's, filled in as the adapters are built."""
        self._config = config
        self._surfaces = surfaces
        self._kinds = kinds
        self._own = own

    async def __call__(self, problem: Problem) -> None:
        supervisors = [a for a in self._config.agents if Role(a.role).at_least(Role.SUPERVISOR)]
        try:
            if await self._own(problem, supervisors):
                return
        except Exception:  # the platform itself may be what is broken; fall through to the other platforms
            log.warning("could not alert the supervisors on %s", self._kinds.shown, exc_info=True)
        text = problem_text(self._kinds.shown, problem)
        for agent in supervisors:
            for surface in self._surfaces.values():
                if surface.platform != self._kinds.platform and surface.reaches(agent):
                    await surface.notify_agent(agent, text)
