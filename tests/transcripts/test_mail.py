"""The customer's transcript by mail when the chat ends (SMTP on loopback, received and read back)."""

import email
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from redis.asyncio import Redis

from bridge.embedded_redis import free_port
from tests.knowledge.helpers import active_chat, boot, run, run_worker
from transcripts.jobs import schedule_archive


class Inbox:
    """aiosmtpd's handler: keeps what it receives (recipients and the parsed message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.port = 0

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server on loopback, in its own thread and event loop."""
    handler = Inbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


async def test_customer_gets_their_transcript_without_notes(tmp_path: Path, redis: Redis, redis_url: str,
                                                             inbox: Inbox) -> None:
    app = boot(tmp_path, redis, redis_url, transcripts={
        "email_on_close": True, "mail_subject": "Your chat with Example Shop",
        "smtp": {"host": "127.0.0.1", "port": inbox.port, "starttls": False,
                 "sender": "help@example.com"}})
    chat = await active_chat(app, messages=("Where is my parcel?",))
    await run(app, "csr note VIP, ship express for free", chat_id=chat.id)
    await run(app, "csr phrase greet", chat_id=chat.id)
    await app.service.close(chat.id, "resolved", "alice")
    await app.transcripts.archiver.mark_closed(chat.id)
    run_worker(app.config_path)
    await schedule_archive(app.jobs, chat.id)  # archived again (a retried job): nobody is mailed twice
    run_worker(app.config_path)

    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["eve@example.org"]
    assert message["Subject"] == "Your chat with Example Shop" and message["From"] == "help@example.com"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}
    assert "Where is my parcel?" in parts["text/plain"] and "Hi Eve, I'm Alice" in parts["text/plain"]
    assert "VIP" not in parts["text/plain"] and "VIP" not in parts["text/html"]
    assert "Where is my parcel?" in parts["text/html"]
