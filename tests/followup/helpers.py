"""A real SMTP server (aiosmtpd) on loopback, and an app whose left messages are answered by email."""

import email
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.config import parse_config
from bridge.domain.chat import Chat, Customer
from bridge.domain.events import ChatEvent, Origin
from bridge.embedded_redis import free_port
from testkit.configs import base_raw, merged, write_toml
from tests.routing.helpers import SLACK_ON, run


@dataclass
class Inbox:
    """aiosmtpd's handler: keeps what it receives; `refuse` makes it answer RCPT with a permanent 550."""

    port: int = 0
    messages: list[tuple[list[str], Message]] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str,  # noqa: N802 - aiosmtpd
                          _options: list[str]) -> str:
        if self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox(port=free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


def email_config(port: int, **more: Any) -> dict[str, Any]:
    return merged({"enabled": True, "sender_name": "Example Shop", "retry_seconds": [1],
                   "smtp": {"host": "127.0.0.1", "port": port, "starttls": False, "sender": "help@example.com"}},
                  more)


def boot(tmp_path: Path, redis: Redis, redis_url: str, **overrides: Any) -> BridgeApp:
    raw = merged(merged(base_raw(), {"slack": SLACK_ON, "redis": {"url": redis_url},
                                     "server": {"public_url": "https://shop.example.com"}}), overrides)
    path = write_toml(tmp_path / "config.toml", raw)
    return bootstrap(parse_config(raw, base_dir=str(tmp_path), environ={}), redis, redis_url, str(path))


async def claimed_message(app: BridgeApp, name: str = "Ann", mail: str = "ann@example.org",
                          text: str = "My parcel never came.", language: str = "") -> Chat:
    chat = await app.service.start_chat(Customer(name=name, email=mail, language=language), "question", "general", 0,
                                        text)
    await app.service.escalate(chat.id)
    await run(app, "alice", f"csr claim {chat.id}")
    found = await app.chats.get(chat.id)
    assert found is not None and found.claimed_at
    return found


async def reply(app: BridgeApp, chat: Chat, text: str, event_id: str = "e1") -> ChatEvent:
    agent = app.agent("alice")
    assert agent is not None
    return await app.service.agent_message(chat.id, agent, text, Origin(platform="slack", conversation="CGENERAL",
                                                                        thread="1.0", event_id=event_id))
