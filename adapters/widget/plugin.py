"""Widget adapter entry point: the customer API under /api/v1, its WebSocket, and the static widget."""

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount

from adapters.widget.api_chats import ChatEndpoints
from adapters.widget.api_files import FileEndpoints
from adapters.widget.api_reply_links import ReplyLinkEndpoint
from adapters.widget.api_transcript import TranscriptEndpoint
from adapters.widget.cobrowse.assets import asset_routes
from adapters.widget.cobrowse.customer import CustomerCobrowse
from adapters.widget.cobrowse.viewer import ViewerPages
from adapters.widget.context import WidgetContext
from adapters.widget.errors import EXCEPTION_HANDLERS
from adapters.widget.origins import OriginGuard, allowed_origins
from adapters.widget.pages import static_routes
from adapters.widget.ratelimit import AddressLimit, RateLimiter
from adapters.widget.socket import ChatSocket
from adapters.widget.socket_slots import SocketSlots
from adapters.widget.tokens import CustomerTokens, SessionTokens
from bridge.app import BridgeApp
from bridge.ports import Core
from bridge.signing import signing_key
from cobrowse.service import Cobrowse
from followup.links import ReplyLinks
from knowledge.base import KnowledgeBase
from transcripts.service import Transcripts


class WidgetAdapter:
    name = "widget"
    surface = None

    def __init__(self, core: Core, knowledge: KnowledgeBase, transcripts: Transcripts, cobrowse: Cobrowse) -> None:
        cfg = core.config.widget
        key = signing_key(cfg.signing_key.get_secret_value(), core.config.data_path)
        redis, keys = core.store.redis, core.store.keys
        limiter = RateLimiter(redis, keys)
        self._config = core.config
        self._limiter = limiter
        self._cobrowse = cobrowse
        self._links = ReplyLinks(key, core.config.email.reply_link_days)
        self.ctx = WidgetContext(core=core, knowledge=knowledge, transcripts=transcripts,
                                 tokens=SessionTokens(key, cfg.token_ttl_hours * 3600),
                                 customers=CustomerTokens(key, cfg.token_ttl_hours * 3600), limiter=limiter,
                                 slots=SocketSlots(redis, keys))

    def api(self) -> Starlette:
        """The /api/v1 sub-application, with its own JSON errors, Origin check, CORS and address limit."""
        server = self._config.server
        origins = allowed_origins(server.allowed_origins, str(server.public_url))
        routes: list[Any] = []
        public = str(server.public_url).rstrip("/")
        parts = (ChatEndpoints(self.ctx), FileEndpoints(self.ctx), TranscriptEndpoint(self.ctx), ChatSocket(self.ctx),
                 CustomerCobrowse(self.ctx, self._cobrowse, f"{public}/cobrowse/rrweb.js"),
                 ReplyLinkEndpoint(self.ctx, self._links))
        for part in parts:
            routes += part.routes()
        middleware = [  # outermost first: every request counts against its address, refused ones too
            Middleware(AddressLimit, limiter=self._limiter,
                       per_minute=self._config.widget.requests_per_minute_per_address),
            Middleware(OriginGuard, origins=origins),
            Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"], expose_headers=["Retry-After"], max_age=600),
        ]
        api = Starlette(routes=routes, middleware=middleware, exception_handlers=EXCEPTION_HANDLERS)
        api.router.redirect_slashes = False  # an API path with a stray slash is a 404, not a redirect elsewhere
        return api

    def routes(self) -> list[Any]:
        viewer = ViewerPages(self._cobrowse, str(self._config.server.public_url), self.ctx.slots)
        return [*static_routes(self._config), *asset_routes(self._config), *viewer.routes(),
                Mount("/api/v1", app=self.api())]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def ready(self) -> tuple[bool, str]:
        return True, "serving"


def build(app: BridgeApp) -> WidgetAdapter:
    """This adapter's corner of the composition root: the only place here that sees the whole app."""
    return WidgetAdapter(app.core, app.knowledge, app.transcripts, app.cobrowse)
