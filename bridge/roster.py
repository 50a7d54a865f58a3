"""The configured CSRs, indexed once: by id, and by their user id on each platform."""

from collections.abc import Iterable, Iterator

from bridge.config.agents import AgentConfig

PLATFORM_ID_FIELDS = {"slack": "slack_user_id", "matrix": "matrix_user_id"}


class Roster:
    """Every inbound platform event names its sender by platform user id, so that lookup is a dict, not a
    scan of the roster. The roster is config: it does not change while a process runs."""

    def __init__(self, agents: Iterable[AgentConfig]) -> None:
        self._agents = list(agents)
        self._by_id: dict[str, AgentConfig] = {}
        self._by_platform: dict[str, dict[str, AgentConfig]] = {p: {} for p in PLATFORM_ID_FIELDS}
        for agent in self._agents:  # the first entry wins, as a scan would find it
            self._by_id.setdefault(agent.id, agent)
            for platform, attr in PLATFORM_ID_FIELDS.items():
                if user_id := getattr(agent, attr):
                    self._by_platform[platform].setdefault(user_id, agent)

    def __iter__(self) -> Iterator[AgentConfig]:
        return iter(self._agents)

    def by_id(self, agent_id: str) -> AgentConfig | None:
        return self._by_id.get(agent_id)

    def by_platform_id(self, platform: str, user_id: str) -> AgentConfig | None:
        return self._by_platform.get(platform, {}).get(user_id) if user_id else None
