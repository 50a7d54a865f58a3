"""A small cast for the customer-data tests: Ann (the person who asks), her chats, and Bob, whose data must stay.

Everything goes through the real services: chats started and closed by the core, files in the configured
attachment store, cases recorded as the case service records them, archives written by the archiver.
"""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.cli import main as cli_main
from bridge.config import parse_config
from bridge.domain.chat import Chat, Customer
from bridge.domain.events import Origin
from bridge.identity import verified_customer_id
from testkit.configs import base_raw, merged, write_toml

ANN = Customer(name="Ann Example", email="Ann@Example.com", id=verified_customer_id("u-ann"), user_id="u-ann",
               verified=True, attributes={"plan": "gold"})
ANN_ELSEWHERE = Customer(name="Ann", email="ann@example.com", id="s_annsession")
"""Ann in another browser, unverified, giving the same email (another case): still her chat by email."""
BOB = Customer(name="Bob Other", email="bob@example.org", id="s_bobsession")
SLACK_REPLY = Origin(platform="slack", conversation="CGENERAL", thread="1700000000.000100",
                     event_id="1700000001.000200")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def boot(tmp_path: Path, redis: Redis, redis_url: str, **overrides: Any) -> tuple[BridgeApp, Path]:
    raw = merged(merged(base_raw(), {"redis": {"url": redis_url}}), overrides)
    path = write_toml(tmp_path / "config.toml", raw)
    return bootstrap(parse_config(raw, base_dir=str(tmp_path), environ={}), redis, redis_url, str(path)), path


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The admin command line, run as an admin would (its own event loop, off the test's loop)."""
    code = await asyncio.to_thread(cli_main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def chat_with(app: BridgeApp, customer: Customer, *messages: str, file: bytes = b"") -> Chat:
    """A chat in CSR Alice's hands with the customer's messages (and a file from them), still open."""
    chat = await app.service.start_chat(customer, "question", "general", 0, messages[0] if messages else "")
    for text in messages[1:]:
        await app.service.customer_message(chat.id, text)
    if file:
        attachment = await app.attachments.save(chat.id, "receipt.png", "image/png", file)
        await app.service.customer_message(chat.id, "my receipt", attachments=[attachment])
    agent = app.agent("alice")
    assert agent is not None
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": "active", "agent_id": "alice"})
    await app.service.agent_message(chat.id, agent, "Thanks, looking into it.", SLACK_REPLY)
    return chat


async def closed_and_archived(app: BridgeApp, chat: Chat, rating: int = 0, case: str = "",
                              tags: tuple[str, ...] = ()) -> None:
    """Ends the chat (tagged, rated, with a case filed) and writes its archive, as the archive job would."""
    agent = app.agent("alice")
    assert agent is not None
    if tags:
        await app.service.change_tags(chat.id, agent, tags)
    if case:
        await app.service.case_recorded(chat.id, agent, case, f"Case {case} opened",
                                        {"reference": case, "type": "refund", "fields": {"amount": "12.50"}})
        await app.redis.set(app.keys.case(case), json.dumps({"reference": case, "state": "delivered"}))
    await app.service.close(chat.id, "resolved", "alice")
    if rating:
        closed = await app.chats.get(chat.id)
        assert closed is not None
        await app.service.rate(closed, rating, "quick and kind")
    assert (await app.transcripts.archiver.archive(chat.id)).value == "archived"


async def live_keys(redis: Redis, app: BridgeApp, chat_id: str) -> list[str]:
    return sorted([k async for k in redis.scan_iter(match=f"{app.keys.chat(chat_id)}*")])


def document(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
