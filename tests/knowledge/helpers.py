"""Shared parts of the CSR-tools tests: an app booted on a config with articles, phrases and case
types, a chat a CSR owns, and an RQ worker run as its own process."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.commands.context import CommandContext
from bridge.commands.replies import Reply
from bridge.config import parse_config
from bridge.domain.chat import Chat, ChatState, Customer
from testkit.configs import base_raw, merged, write_toml

REPO = Path(__file__).resolve().parents[2]
KB = REPO / "kb"

PHRASES = [
    {"key": "greet", "title": "Greeting", "text": "Hi {customer.first_name}, I'm {agent.name} from {queue}."},
    {"key": "refund-time", "title": "Refund timing", "text": "Refunds reach your card within 5 business days.",
     "queues": ["billing"]},
    {"key": "braces", "title": "Literal braces", "text": "Type {{this}} literally, {customer.name}."},
]


def tools_raw(redis_url: str, **overrides: Any) -> dict[str, Any]:
    raw = merged(base_raw(), {"redis": {"url": redis_url},
                              "knowledge": {"articles_dir": str(KB), "phrases": PHRASES}})
    return merged(raw, overrides)


def boot(tmp_path: Path, redis: Redis, redis_url: str, **overrides: Any) -> BridgeApp:
    raw = tools_raw(redis_url, **overrides)
    path = write_toml(tmp_path / "config.toml", raw)
    config = parse_config(raw, base_dir=str(tmp_path), environ={})
    return bootstrap(config, redis, redis_url, str(path))


def ctx(app: BridgeApp, agent_id: str = "alice", chat_id: str = "", platform: str = "slack") -> CommandContext:
    agent = app.agent(agent_id)
    assert agent is not None
    return CommandContext(platform=platform, user_id=agent.slack_user_id, agent=agent, chat_id=chat_id,
                          conversation="C1" if chat_id else "", thread_id="1700000000.000100" if chat_id else "")


async def run(app: BridgeApp, text: str, agent_id: str = "alice", chat_id: str = "") -> Reply:
    return await app.commands.run(text, ctx(app, agent_id, chat_id))


async def active_chat(app: BridgeApp, queue: str = "billing", agent_id: str = "alice", name: str = "Eve Adams",
                      email: str = "eve@example.org", messages: tuple[str, ...] = ()) -> Chat:
    """A chat the CSR owns, set up through the service; the routing steps in between are not under test here."""
    chat = await app.service.start_chat(Customer(name=name, email=email), "question", queue, 0, "")
    for text in messages:
        await app.service.customer_message(chat.id, text)
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": agent_id,
                                                          "platform": "slack"})
    found = await app.chats.get(chat.id)
    assert found is not None
    return found


def run_worker(config_path: str, timeout: float = 60) -> None:
    """Runs queued RQ jobs in a real worker process (burst: it exits when the queues are empty)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "bridge.cli", "worker", "--config", config_path, "--burst"],
                   check=True, cwd=str(REPO), env=env, timeout=timeout, capture_output=True)
