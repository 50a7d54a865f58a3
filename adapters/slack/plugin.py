"""Slack adapter entry point: `build(app)` wires the pieces; HTTP or Socket Mode as configured.

HTTP mode mounts bolt at /slack/events behind its gate (adapters.slack.gate): events, interactivity and
/csr share that one Request URL. Socket Mode connects out with the app-level token and mounts no
endpoint, since its requests are not signed. Either way the same AsyncApp and listeners handle everything.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient
from starlette.routing import Route

from adapters.slack import avatars
from adapters.slack.alerts import SlackAlerts
from adapters.slack.bolt_app import InboundWork, build_bolt
from adapters.slack.context_card import SlackContextCard
from adapters.slack.files import SlackFiles
from adapters.slack.forms import SlackForms
from adapters.slack.gate import RequestGate
from adapters.slack.home import HomeTab
from adapters.slack.monitor import Monitors
from adapters.slack.offers import OfferCards
from adapters.slack.pacing import ChannelPacer
from adapters.slack.parts import SlackParts
from adapters.slack.posts import PostIndex
from adapters.slack.problems import SLACK_PROBLEMS, slack_errors
from adapters.slack.responder import Responder
from adapters.slack.surface import SlackSurface
from adapters.slack.thread import ThreadWriter
from adapters.slack.webapi import SlackCalls
from bridge.app import BridgeApp
from bridge.card_posts import CardPosts
from bridge.commands.registry import CommandSpec
from bridge.ports import AgentSurface, Core
from bridge.supervisor_alerts import SupervisorAlerts
from transcripts.context_card import ContextCards

log = logging.getLogger(__name__)


class SlackAdapter:
    name = "slack"

    def __init__(self, core: Core, specs: Mapping[str, CommandSpec], surfaces: Mapping[str, AgentSurface],
                 agent_chat_ids: Callable[[str], Awaitable[list[str]]], context_cards: ContextCards) -> None:
        self._core = core
        self._config = cfg = core.config.slack
        redis, keys = core.store.redis, core.store.keys
        token = cfg.bot_token.get_secret_value()
        self.client = AsyncWebClient(token=token, base_url=cfg.api_url, timeout=30)
        self.errors = slack_errors(redis, keys)
        calls = SlackCalls(self.client, ChannelPacer(cfg.messages_per_second, cfg.burst), self.errors, core.metrics)
        cards = OfferCards(calls, redis, keys)
        api = urlsplit(cfg.api_url)
        files = SlackFiles(calls, core.attachments, core.config.widget.uploads, token, f"{api.scheme}://{api.netloc}")
        posts = PostIndex(redis, keys)
        writer = ThreadWriter(core, calls, files, posts,
                              SlackContextCard(calls, context_cards, core.chats, CardPosts(redis, keys)))
        forms = SlackForms(calls, redis, keys)
        self.parts = SlackParts(core=core, specs=specs, calls=calls, errors=self.errors, cards=cards, writer=writer,
                                files=files, responder=Responder(calls, cards, forms),
                                home=HomeTab(core, calls, agent_chat_ids), forms=forms, posts=posts)
        self.errors.reporter = SupervisorAlerts(core.config, surfaces, SLACK_PROBLEMS, SlackAlerts(cfg, calls, cards))
        monitors = Monitors(core.config, calls, cards, core.events, core.store,
                            lambda: self.parts.home.workspace_url)
        self.surface = SlackSurface(cards, writer, calls, self.parts.home, monitors, self.parts.responder)
        self.work = InboundWork()
        self.bolt = build_bolt(cfg, self.client, self.parts, redis, keys, self.work)
        self._gate = RequestGate(cfg, self.bolt, redis, keys) if cfg.mode == "http" else None
        self._socket: AsyncSocketModeHandler | None = None
        self._identity = ""

    def routes(self) -> list[Any]:
        routes: list[Any] = [Route(avatars.PATH, avatars.avatar, methods=["GET"])]
        if self._gate is not None:
            routes.append(Route("/slack/events", self._gate.handle, methods=["POST"]))
        return routes

    async def start(self) -> None:
        self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        await self._identify()
        self._core.feed.subscribe("agent", self.parts.home.on_agent_change)
        self._core.feed.subscribe("dashboard", self.parts.home.on_dashboard)
        if self._config.mode == "socket":
            self._socket = AsyncSocketModeHandler(self.bolt, app_token=self._config.app_token.get_secret_value(),
                                                  web_client=self.client)
            try:
                await self._socket.connect_async()
            except Exception:  # shown on /readyz; the client keeps reconnecting once it had a URL
                log.exception("Slack Socket Mode could not connect")

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
        await self.work.idle()
        await self.parts.calls.close()
        if self.client.session is not None:
            await self.client.session.close()

    async def ready(self) -> tuple[bool, str]:
        problems = await self.errors.detail()
        if problems:
            return False, problems
        if not self._identity and not await self._identify():
            return False, "not connected to Slack (auth.test failed)"
        if self._socket is not None and not await self._socket.client.is_connected():
            return False, "Socket Mode is not connected"
        return True, f"connected as {self._identity} ({self._config.mode} mode)"

    async def _identify(self) -> bool:
        """auth.test once: who the bot is and the workspace URL (for links); failures are recorded, not raised."""
        try:
            response = await self.parts.calls.call("auth.test", self.client.auth_test, attempts=1)
        except Exception as exc:
            log.error("Slack auth.test failed: %s", exc)
            return False
        self._identity = f"{response.get('user', 'bot')} in {response.get('team', 'the workspace')}"
        self.parts.home.workspace_url = str(response.get("url", ""))
        return True


def build(app: BridgeApp) -> SlackAdapter:
    """This adapter's corner of the composition root: the only place here that sees the whole app."""
    return SlackAdapter(app.core, app.commands.specs, app.surfaces, app.router.agent_chat_ids, app.transcripts.cards)
