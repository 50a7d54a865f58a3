"""Log set-up: readable lines by default, one JSON object a line when configured (structlog).

Every line passes through `Redactor` on its way out, so no token, signing secret or platform credential
reaches the log at any level, whoever logged it (uvicorn logs each WebSocket handshake with its URL).
"""

import json
import logging
import re
from collections.abc import Iterable
from typing import Any

import structlog

REDACTED = "[redacted]"
_RUN_START = r"(?<![A-Za-z0-9_-])"
"""Shapes over runs of base64url start only where a run starts: matching from inside one is quadratic."""
_SHAPES = [
    # a credential in a URL's query, e.g. the handshake line uvicorn writes for a WebSocket
    # (a value stops at a backslash too: in a JSON line it escapes the quote that ends the string)
    (re.compile(r"([?&;](?:token|access_token|password|secret)=)[^&\s\"'#\\]+", re.IGNORECASE), rf"\1{REDACTED}"),
    (re.compile(r"\b(Bearer\s+)[^\s\"',\\]+", re.IGNORECASE), rf"\1{REDACTED}"),
    (re.compile(r"\btoken\.[A-Za-z0-9_.-]+"), f"token.{REDACTED}"),  # a widget token offered as a subprotocol
    (re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+"), REDACTED),  # Slack tokens
    (re.compile(r"\b(?:sy[tr]|mct)_[A-Za-z0-9_]+|\bMDAx[A-Za-z0-9+/=_-]{20,}"), REDACTED),  # Matrix access tokens
    # signed tokens (itsdangerous, JWT): three base64url parts, the signature long and not a dotted name
    (re.compile(_RUN_START + r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.(?=[A-Za-z0-9_-]*[A-Z0-9])[A-Za-z0-9_-]{20,}"),
     REDACTED),
    # long random keys (a generated signing key): mixed case and digits, no separators
    (re.compile(_RUN_START + r"(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[0-9])"
                r"[A-Za-z0-9_-]{40,}"), REDACTED),
]
MIN_SECRET_CHARS = 8
"""Shorter configured secrets are not searched for: they would blank out ordinary words."""


class Redactor:
    """Takes token-shaped strings and the configured secrets' values out of a finished log line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = {form for s in secrets if len(s) >= MIN_SECRET_CHARS for form in (s, json.dumps(s)[1:-1])}
        alternatives = "|".join(re.escape(s) for s in sorted(forms, key=len, reverse=True))
        self._known = re.compile(alternatives) if alternatives else None

    def __call__(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(REDACTED, text)
        for shape, replacement in _SHAPES:
            text = shape.sub(replacement, text)
        return text

    def processor(self, _logger: Any, _method: str, line: Any) -> Any:
        """The last step of the formatter: the renderer's output, exceptions and all, redacted."""
        return self(line) if isinstance(line, str) else line


def configure_logging(fmt: str = "text", level: str = "info", secrets: Iterable[str] = ()) -> None:
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    formatter = structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer,
                    Redactor(secrets).processor],
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # slack_sdk also writes request URLs (a command's response_url, a credential) and bodies below warning. Its Web
    # API client formats a debug line per call unless its own logger's level (not the inherited one) is above debug.
    for noisy in ("httpx", "httpcore", "nio", "slack_sdk", "slack_sdk.web.async_base_client", "rq.worker",
                  "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
