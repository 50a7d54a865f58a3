"""HTTP server and logging settings."""

from typing import Literal

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator

from bridge.config.base import Section
from bridge.origins import origin_of


class ServerConfig(Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: HttpUrl = HttpUrl("http://127.0.0.1:8080")
    allowed_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8080", "http://localhost:8080"])
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    shutdown_grace_seconds: float = Field(10.0, ge=0, le=300)
    header_timeout_seconds: float = Field(10.0, gt=0, le=300)
    """A connection must send its request line and headers within this (slowloris connections are closed).
    A request body may not pause longer than this either."""
    body_timeout_seconds: float = Field(60.0, gt=0, le=3600)
    """A request body (an upload, say) must arrive whole within this from the end of its headers."""
    metrics_token: SecretStr = SecretStr("")
    """When set, /metrics answers only `Authorization: Bearer <token>`."""
    metrics_port: int = Field(0, ge=0, le=65535)
    """When set, /metrics is served on this port (at `metrics_host`) instead of the main one."""
    metrics_host: str = "127.0.0.1"
    processes: int = Field(1, ge=1, le=64)
    """`serve` processes on this host sharing `port`: one Python process uses at most one core, so a busy host
    sets its core count. The first runs the embedded services and starts the others."""

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                origin_of(item)
            except ValueError:
                raise ValueError(f"{item!r} is not a site address like https://shop.example.com") from None
        return value

    @model_validator(mode="after")
    def _metrics_port(self) -> "ServerConfig":
        if self.metrics_port == self.port:
            raise ValueError("metrics_port must differ from port (0 serves /metrics on port)")
        if self.metrics_port and self.metrics_port <= self.port < self.metrics_port + self.processes:
            raise ValueError(f"process {self.port - self.metrics_port + 1} would serve /metrics on port "
                             f"{self.port}: each of the {self.processes} processes serves its own at "
                             "metrics_port + its number (from 0), so keep that range clear of port")
        if self.metrics_port + self.processes - 1 > 65535:
            raise ValueError("metrics_port + processes - 1 must be a port (at most 65535): each process "
                             "serves /metrics on metrics_port + its number")
        return self
