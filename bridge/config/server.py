"""HTTP server and logging settings."""

from typing import Literal

from pydantic import Field, HttpUrl, field_validator

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

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                origin_of(item)
            except ValueError:
                raise ValueError(f"{item!r} is not a site address like https://shop.example.com") from None
        return value
