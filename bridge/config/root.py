"""The whole config file as one model, plus the checks that span sections."""

from pathlib import Path

from pydantic import Field

from bridge.config.agents import AgentConfig
from bridge.config.base import Section
from bridge.config.knowledge import KnowledgeConfig
from bridge.config.matrix import MatrixConfig
from bridge.config.problems import ConfigProblem
from bridge.config.queues import QueueConfig
from bridge.config.routing import RoutingConfig
from bridge.config.server import ServerConfig
from bridge.config.slack import SlackConfig
from bridge.config.storage import RedisConfig, StoreConfig
from bridge.config.transcripts import TranscriptsConfig
from bridge.config.widget import WidgetConfig


class BridgeConfig(Section):
    data_dir: str = "data"
    """Relative paths are taken from the config file's folder."""
    server: ServerConfig = Field(default_factory=ServerConfig)
    redis: RedisConfig = Field(default_factory=RedisConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    queues: list[QueueConfig] = Field(min_length=1)
    agents: list[AgentConfig] = Field(default_factory=list)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    matrix: MatrixConfig = Field(default_factory=MatrixConfig)
    widget: WidgetConfig = Field(default_factory=WidgetConfig)
    knowledge: KnowledgeConfig = Field(default_factory=KnowledgeConfig)
    transcripts: TranscriptsConfig = Field(default_factory=TranscriptsConfig)
    base_dir: str = Field("", exclude=True)
    """Set by the loader: the config file's folder."""

    def resolve_path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else Path(self.base_dir or ".") / path

    @property
    def data_path(self) -> Path:
        return self.resolve_path(self.data_dir)

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite+aiosqlite:///{self.data_path / 'csr-bridge.sqlite3'}"

    def queue(self, name: str) -> QueueConfig:
        return next(q for q in self.queues if q.name == name)

    def agent(self, agent_id: str) -> AgentConfig | None:
        return next((a for a in self.agents if a.id == agent_id), None)

    def capacity_of(self, agent: AgentConfig) -> int:
        return agent.capacity or self.routing.default_capacity


def cross_check(cfg: BridgeConfig) -> list[ConfigProblem]:
    """Checks no single section can make: names that must exist, credentials that must come together."""
    problems: list[ConfigProblem] = []
    names = [q.name for q in cfg.queues]
    known = set(names)
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(ConfigProblem("queues", f"queue '{dup}' is defined twice", "give each queue a unique name"))
    ids = [a.id for a in cfg.agents]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(ConfigProblem("agents", f"agent '{dup}' is defined twice", "give each agent a unique id"))

    def must_exist(path: str, name: str) -> None:
        if name not in known:
            problems.append(
                ConfigProblem(path, f"names queue '{name}', which does not exist", f"use one of: {', '.join(names)}")
            )

    for i, q in enumerate(cfg.queues):
        if q.overflow:
            must_exist(f"queues[{i}].overflow", q.overflow)
    for i, a in enumerate(cfg.agents):
        for j, qn in enumerate(a.queues):
            must_exist(f"agents[{i}].queues[{j}]", qn)
        for j, qn in enumerate(a.supervises):
            must_exist(f"agents[{i}].supervises[{j}]", qn)
    for i, t in enumerate(cfg.widget.topics):
        must_exist(f"widget.topics[{i}].queue", t.queue)
    for i, p in enumerate(cfg.knowledge.phrases):
        for j, qn in enumerate(p.queues):
            must_exist(f"knowledge.phrases[{i}].queues[{j}]", qn)
    for qn in cfg.slack.channels:
        must_exist(f"slack.channels.{qn}", qn)
    for qn in cfg.matrix.rooms:
        must_exist(f"matrix.rooms.{qn}", qn)
    problems += _overflow_cycles(cfg)
    problems += _platform_credentials(cfg)
    return problems


def _overflow_cycles(cfg: BridgeConfig) -> list[ConfigProblem]:
    nxt = {q.name: q.overflow for q in cfg.queues if q.overflow}
    problems = []
    reported: set[str] = set()
    for start in nxt:
        seen = [start]
        cur = nxt.get(start)
        while cur and cur not in seen:
            seen.append(cur)
            cur = nxt.get(cur)
        if cur and cur == start and start not in reported:
            reported.update(seen)
            chain = " -> ".join([*seen, start])
            problems.append(
                ConfigProblem(
                    f"queues[{[q.name for q in cfg.queues].index(start)}].overflow",
                    f"overflow chain loops: {chain}",
                    "end the chain with a queue whose overflow is empty",
                )
            )
    return problems


def _platform_credentials(cfg: BridgeConfig) -> list[ConfigProblem]:
    problems = []
    s = cfg.slack
    if s.enabled:
        if not s.bot_token.get_secret_value():
            problems.append(ConfigProblem("slack.bot_token", "Slack is enabled but has no bot token",
                                          "set slack.bot_token or CSR_SLACK_BOT_TOKEN (xoxb-...)"))
        if s.mode == "http" and not s.signing_secret.get_secret_value():
            problems.append(ConfigProblem("slack.signing_secret", "HTTP mode needs the signing secret",
                                          "set slack.signing_secret or CSR_SLACK_SIGNING_SECRET"))
        if s.mode == "socket" and not s.app_token.get_secret_value():
            problems.append(ConfigProblem("slack.app_token", "Socket Mode needs an app-level token",
                                          "set slack.app_token or CSR_SLACK_APP_TOKEN (xapp-...)"))
        for i, q in enumerate(cfg.queues):
            if q.name not in s.channels:
                problems.append(ConfigProblem(f"slack.channels.{q.name}", f"queue '{q.name}' has no Slack channel",
                                              f'add {q.name} = "C..." under [slack.channels]'))
    m = cfg.matrix
    if m.enabled:
        if not m.password.get_secret_value() and not m.access_token.get_secret_value():
            problems.append(ConfigProblem("matrix.password", "Matrix is enabled but has neither password nor access token",
                                          "set matrix.password (CSR_MATRIX_PASSWORD) or matrix.access_token (CSR_MATRIX_ACCESS_TOKEN)"))
        for q in cfg.queues:
            if q.name not in m.rooms:
                problems.append(ConfigProblem(f"matrix.rooms.{q.name}", f"queue '{q.name}' has no Matrix room",
                                              f'add {q.name} = "!room:server" under [matrix.rooms]'))
    if cfg.transcripts.email_on_close and not cfg.transcripts.smtp.host:
        problems.append(ConfigProblem("transcripts.smtp.host", "email_on_close is on but no SMTP server is set",
                                      "set transcripts.smtp.host or turn email_on_close off"))
    return problems
