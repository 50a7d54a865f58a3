"""The whole config file as one model, plus the checks that span sections."""

from collections.abc import Collection
from pathlib import Path

from pydantic import Field, model_validator

from bridge.config.agents import AgentConfig
from bridge.config.base import Section
from bridge.config.cases import CasesConfig
from bridge.config.chats import ChatsConfig
from bridge.config.cobrowse import CobrowseConfig
from bridge.config.email import EmailConfig
from bridge.config.hours import HoursConfig
from bridge.config.knowledge import KnowledgeConfig
from bridge.config.languages import LanguagesConfig
from bridge.config.matrix import EMBEDDED_SERVER_NAME, MatrixConfig, embedded_defaults
from bridge.config.queues import QueueConfig
from bridge.config.reports import ReportsConfig
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
    hours: HoursConfig | None = None
    """Business hours of queues that set none; none here either: those queues never close."""
    queues: list[QueueConfig] = Field(min_length=1)
    agents: list[AgentConfig] = Field(default_factory=list)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    matrix: MatrixConfig = Field(default_factory=MatrixConfig)
    widget: WidgetConfig = Field(default_factory=WidgetConfig)
    languages: LanguagesConfig = Field(default_factory=LanguagesConfig)
    knowledge: KnowledgeConfig = Field(default_factory=KnowledgeConfig)
    transcripts: TranscriptsConfig = Field(default_factory=TranscriptsConfig)
    cases: CasesConfig = Field(default_factory=CasesConfig)
    chats: ChatsConfig = Field(default_factory=ChatsConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    cobrowse: CobrowseConfig = Field(default_factory=CobrowseConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    base_dir: str = Field("", exclude=True)
    """Set by the loader: the config file's folder."""

    @model_validator(mode="after")
    def _embedded_homeserver(self) -> "BridgeConfig":
        """The embedded homeserver's rooms and accounts follow from the queues and the roster, so every
        process (serve, workers, jobs) derives the same ones from the file alone."""
        if not self.matrix.embedded:
            return self
        matrix = embedded_defaults(self.matrix, [q.name for q in self.queues])
        agents = [a if a.matrix_user_id else a.model_copy(update={"matrix_user_id": f"@{a.id}:{EMBEDDED_SERVER_NAME}"})
                  for a in self.agents]
        object.__setattr__(self, "matrix", matrix)
        object.__setattr__(self, "agents", agents)
        return self

    def resolve_path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else Path(self.base_dir or ".") / path

    @property
    def data_path(self) -> Path:
        return self.resolve_path(self.data_dir)

    @property
    def embedded_redis_socket(self) -> Path:
        """Where `serve`'s own redis-server listens: a fixed place, so a restart finds it at the same address."""
        return (self.data_path / "redis" / "redis.sock").resolve()

    @property
    def redis_url(self) -> str:
        """The Redis every process of this bridge uses; jobs find it here, so none carries an address. Empty with
        sentinels: `bridge.redis_connect` asks them where the primary is."""
        if self.redis.sentinels:
            return ""
        return self.redis.url or f"unix://{self.embedded_redis_socket}?db=0"

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite+aiosqlite:///{self.data_path / 'csr-bridge.sqlite3'}"

    def queue(self, name: str) -> QueueConfig:
        """The queue by its name; callers pass names they checked, so an unknown one is a bug to name clearly."""
        found = next((q for q in self.queues if q.name == name), None)
        if found is None:
            known = ", ".join(q.name for q in self.queues)
            raise LookupError(f"no queue named {name!r} in the config (queues: {known})")
        return found

    def hours_of(self, queue: str) -> HoursConfig | None:
        """A queue's business hours: its own, else the default; None: always open."""
        found = next((q for q in self.queues if q.name == queue), None)
        return (found.hours if found else None) or self.hours

    def has_queue(self, name: str) -> bool:
        return any(q.name == name for q in self.queues)

    def queue_display_name(self, name: str) -> str:
        """What people read for a queue; a name no longer in the config (an old chat's queue) shows as itself."""
        return next((q.display_name for q in self.queues if q.name == name), name)

    def queue_display_names(self, names: Collection[str]) -> list[str]:
        """Those queues' display names in config order; names no longer in the config are left out."""
        return [q.display_name for q in self.queues if q.name in names]

    def agent(self, agent_id: str) -> AgentConfig | None:
        return next((a for a in self.agents if a.id == agent_id), None)

    def platforms_of(self, agent: AgentConfig) -> list[str]:
        """Enabled CSR platforms the person has an account on: where offers can reach them."""
        return [name for name, user_id, on in (("slack", agent.slack_user_id, self.slack.enabled),
                                               ("matrix", agent.matrix_user_id, self.matrix.enabled)) if user_id and on]

    def capacity_of(self, agent: AgentConfig) -> int:
        return agent.capacity or self.routing.default_capacity
