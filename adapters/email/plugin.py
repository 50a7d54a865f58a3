"""The inbound mailbox as an adapter: `serve` runs the SMTP receiver when `[email.inbound] enabled`."""

import asyncio
from typing import Any

from aiosmtpd.smtp import SMTP

from adapters.email.receiver import AnswerHandler
from bridge.app import BridgeApp
from bridge.signing import signing_key
from followup.links import ReplyLinks


class InboundMailAdapter:
    name = "email"
    surface = None

    def __init__(self, handler: AnswerHandler, host: str, port: int, max_bytes: int, hostname: str) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._max_bytes = max_bytes
        self._hostname = hostname
        self._server: asyncio.Server | None = None

    def routes(self) -> list[Any]:
        return []

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self._handler, data_size_limit=self._max_bytes, enable_SMTPUTF8=True,
                         hostname=self._hostname, timeout=60),
            self._host, self._port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def ready(self) -> tuple[bool, str]:
        return (self._server is not None and self._server.is_serving()), "inbound mailbox"


def build(app: BridgeApp) -> InboundMailAdapter:
    config = app.config
    inbound = config.email.inbound
    links = ReplyLinks(signing_key(config.widget.signing_key.get_secret_value(), config.data_path),
                       config.email.reply_link_days)
    page = config.email.reply_page_url or str(config.server.public_url).rstrip("/") + "/"
    handler = AnswerHandler(links, inbound.domain, app.chats, app.stream, app.service,
                            config.widget.max_message_chars, page)
    return InboundMailAdapter(handler, inbound.host, inbound.port, inbound.max_bytes, inbound.domain)
