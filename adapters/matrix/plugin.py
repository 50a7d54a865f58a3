"""Matrix adapter entry point: `build(app)` wires the pieces; `start` logs in and joins the rooms,
then the sync loop (appservice mode: the homeserver's queued transactions) and the outbox senders run in
whichever process holds the leader lock. In appservice mode every process serves the appservice API.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from redis.exceptions import RedisError

from adapters.matrix.alerts import MatrixAlerts
from adapters.matrix.appservice.api import AppserviceApi
from adapters.matrix.appservice.customer_signals import CustomerSignals
from adapters.matrix.appservice.ghosts import Ghosts, chat_of_ghost
from adapters.matrix.appservice.inbox import Inbox
from adapters.matrix.appservice.masquerade import Masquerade
from adapters.matrix.chat_input import ChatInput
from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError, make_client, stop_if_cancelled
from adapters.matrix.commands import MatrixCommands
from adapters.matrix.compose import Composer
from adapters.matrix.context_card import MatrixContextCard
from adapters.matrix.dashboard import StatusMessage
from adapters.matrix.dms import DirectRooms
from adapters.matrix.forms import CaseForms
from adapters.matrix.inbound import Inbound
from adapters.matrix.lanes import Lane
from adapters.matrix.leader import Leadership
from adapters.matrix.media import Media
from adapters.matrix.offers import OfferCards
from adapters.matrix.outbox import Outbox
from adapters.matrix.pacer import Pacer
from adapters.matrix.poster import BACKOFF, Poster
from adapters.matrix.problems import MATRIX_PROBLEMS, matrix_errors
from adapters.matrix.senders import MAX_SENDING, SWEEP_SECONDS, OutboxSenders
from adapters.matrix.session import Session
from adapters.matrix.signals import CsrSignals
from adapters.matrix.surface import MatrixSurface
from adapters.matrix.sync import SyncLoop
from bridge.app import BridgeApp
from bridge.card_posts import CardPosts
from bridge.ports import AgentSurface, Core
from bridge.supervisor_alerts import SupervisorAlerts
from transcripts.context_card import ContextCards

log = logging.getLogger(__name__)
OUTBOX_FEED = "matrix-outbox"
SESSION_GONE = ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN")
PING_FAILURES_REPORTED = 3
PING_SECONDS = 5.0
NEEDS_A_PERSON = ("M_FORBIDDEN", "M_UNKNOWN_TOKEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME")


class MatrixAdapter:
    name = "matrix"

    def __init__(self, core: Core, form_in_progress: Callable[[str, str], Awaitable[bool]],
                 context_cards: ContextCards, surfaces: Mapping[str, AgentSurface], lock_ttl: float = 30.0,
                 timeline_limit: int = 50, max_sending: int = MAX_SENDING,
                 sweep_seconds: float = SWEEP_SECONDS) -> None:
        """`form_in_progress(agent_id, chat_id)`: the cases feature's, for case forms asked one question at a time.
        `surfaces`: every platform's, filled in as the adapters are built (an alert Matrix can't carry goes there)."""
        cfg = core.config.matrix
        redis, keys = core.store.redis, core.store.keys
        self._core = core
        self.client = make_client(cfg.client_url, cfg.user_id)
        appservice = cfg.appservice
        self.masquerade = Masquerade(cfg.client_url, cfg.as_token.get_secret_value()) if appservice else None
        self.ghosts = Ghosts(self.masquerade, redis, keys, cfg) if self.masquerade is not None else None
        # An appservice's users are not rate-limited (the registration says `rate_limited: false`).
        self.pacer = Pacer(0 if appservice else cfg.send_per_second, cfg.send_burst)
        self.errors = matrix_errors(redis, keys)
        self.poster = Poster(self.client, self.pacer, core.metrics, self.masquerade, self.errors)
        self.outbox = Outbox(redis, keys)
        self.session = Session(self.client, self.poster, redis, keys, cfg)
        self.media = Media(self.client, redis, keys, core.attachments, core.config.widget.uploads)
        self.dms = DirectRooms(self.client, self.pacer, self.poster, redis, keys)
        self.errors.reporter = SupervisorAlerts(core.config, surfaces, MATRIX_PROBLEMS,
                                                MatrixAlerts(self.session, self.dms, self.outbox, self.wake))
        self.senders = OutboxSenders(self.outbox, self.poster, self.pacer, Composer(redis, keys, self.media),
                                     redis, keys, max_sending, sweep_seconds, self.ghosts)
        self.offers = OfferCards(redis, keys, self.dms, self.poster, self.outbox, self.wake)
        forms = CaseForms(core.store, cfg.note_prefix, form_in_progress)
        self.commands = MatrixCommands(core, forms, self.outbox, self.dms, self.media, self.wake)
        ghosts = self.ghosts
        self.inbound = Inbound(core, self.client, self.session, self.dms, self.offers, self.commands,
                               ChatInput(core, self.media, self.commands), self.outbox, self.wake,
                               ghosts.is_ghost if ghosts is not None else lambda _: False)
        self.signals = CsrSignals(redis, keys, core.agents, core.typing, core.reads)
        self.sync = SyncLoop(self.client, redis, keys, self.inbound, self.signals, timeline_limit)
        self.inbox = Inbox(redis, keys, self.inbound, self.signals, cfg.user_id, self.masquerade)
        self.api = AppserviceApi(cfg, redis, keys, self._ghost_exists) if appservice else None
        self.leadership = Leadership(redis, keys.lock("matrix-sync"), lock_ttl)
        if ghosts is not None and self.masquerade is not None:
            customer = CustomerSignals(cfg, redis, keys, core.chats, core.threads, core.events, core.typing,
                                       core.reads, ghosts, self.masquerade)
            core.feed.subscribe("typing", customer.on_typing, only=self._leading)
            core.feed.subscribe("read", customer.on_read, only=self._leading)
        self._ready = asyncio.Event()
        self.reached = asyncio.Event()
        """Appservice mode: set once the homeserver has called the bridge (its answer to our ping)."""
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        card = MatrixContextCard(context_cards, core.chats, CardPosts(redis, keys), self.poster, self.outbox, self.wake,
                                 cfg.command_prefix)
        self.surface = MatrixSurface(core, self.client, self.session, self.poster, self.outbox, self.dms, self.offers,
                                     self.commands, self.wake, self._ready, card)
        core.feed.subscribe(OUTBOX_FEED, self._on_outbox_change)
        status = StatusMessage(core, self.session, self.poster, self.outbox, self.wake)
        core.feed.subscribe("dashboard", status.on_dashboard)

    def routes(self) -> list[Any]:
        return self.api.routes() if self.api is not None else []

    @property
    def caught_up(self) -> asyncio.Event:
        """Set once inbound works: a sync handled, or (appservice) the homeserver reached us."""
        return self.reached if self.api is not None else self.sync.synced

    def _leading(self, _: str) -> bool:
        return self.leadership.leading

    async def _ghost_exists(self, user_id: str) -> bool:
        """The homeserver asks about a user in our namespace: a ghost of a chat we have is made on the spot."""
        chat_id = chat_of_ghost(self._core.config.matrix, user_id)
        if not chat_id or self.ghosts is None or await self._core.chats.get(chat_id) is None:
            return False
        await self.ghosts.register(user_id)
        return True

    async def start(self) -> None:
        """Returns at once: logging in waits for the homeserver without holding up the rest of the bridge."""
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="matrix-adapter")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 10)
            except TimeoutError:
                self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.media.close()
        await self.client.close()
        if self.masquerade is not None:
            await self.masquerade.close()

    async def ready(self) -> tuple[bool, str]:
        problems = await self.errors.detail()
        if problems:
            return False, problems
        if not self._ready.is_set():
            return False, "not logged in to the homeserver yet"
        work = "handling the homeserver's transactions" if self.api is not None else "running the sync loop"
        role = work if self.leadership.leading else "standing by (another process leads)"
        return True, f"logged in as {self._core.config.matrix.user_id}, {role}"

    def wake(self, room_id: str, thread: str) -> None:
        """A lane's outbox got a post: the leader sends it (here, or another process via the feed)."""
        lane = Lane(room_id, thread)
        if self.leadership.leading:
            self.senders.wake(lane)
        else:
            task = asyncio.create_task(self._core.feed.publish(OUTBOX_FEED, lane.member))
            task.add_done_callback(_log_failure)

    async def _on_outbox_change(self, member: str) -> None:
        self.senders.wake(Lane.parse(member))

    async def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            stop_if_cancelled()
            try:
                if self.ghosts is not None:
                    await self.ghosts.register(self._core.config.matrix.user_id)
                await self.session.login()
                await self.session.join_rooms()
                break
            except (MatrixError, RedisError, *TRANSIENT_ERRORS) as exc:
                failures += 1
                log.warning("Matrix login failed (%s); retrying", exc)
                if isinstance(exc, MatrixError) and exc.errcode in NEEDS_A_PERSON:
                    await self._report("login", f"the homeserver refuses the bot's login ({exc.errcode}); "
                                                "check matrix.user_id and its password or access token")
                await _sleep_unless(self._stop, BACKOFF[min(failures - 1, len(BACKOFF) - 1)])
        else:
            return
        await self._report("login", "")
        self._ready.set()
        await self.leadership.run(self._lead, self._stop)

    async def _reached(self, masquerade: Masquerade) -> None:
        """Pings the homeserver (it calls us back) now and every PING_SECONDS: until it has, /readyz says it
        can't reach the bridge; a failed ping also tells the inbox to read the rooms back once it is back."""
        cfg = self._core.config.matrix
        failures, unreached_since = 0, 0.0
        while True:
            try:
                await masquerade.ping(cfg.appservice_id)
                if failures or not self.reached.is_set():
                    await self._report("appservice", "")
                if unreached_since:  # it may have dropped events it could not push to us meanwhile
                    self.inbox.read_back_from(unreached_since - PING_SECONDS)
                self.reached.set()
                failures, unreached_since = 0, 0.0
                await asyncio.sleep(PING_SECONDS)
            except (MatrixError, *TRANSIENT_ERRORS) as exc:
                failures += 1
                unreached_since = unreached_since or time.time()
                if failures >= PING_FAILURES_REPORTED:
                    await self._report("appservice", f"the homeserver cannot reach the bridge at "
                                                     f"{cfg.appservice_url} ({getattr(exc, 'errcode', '') or exc})")
                await asyncio.sleep(BACKOFF[min(failures - 1, len(BACKOFF) - 1)])

    async def _report(self, what: str, problem: str) -> None:
        """Shows (or clears) a problem only a person can fix on /readyz."""
        store = self._core.store
        key = store.keys.platform_errors("matrix")
        try:
            if problem:
                await store.redis.hset(key, what, problem)
            else:
                await store.redis.hdel(key, what)
        except RedisError:
            log.warning("could not record the Matrix problem %r", problem)

    async def _lead(self) -> None:
        """Sync and send together; if the homeserver forgot our session, log in again and go on."""
        while True:
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(self.inbox.run() if self.api is not None else self.sync.run())
                    group.create_task(self.senders.run())
                    group.create_task(self.signals.renew())
                    if self.masquerade is not None:
                        group.create_task(self._reached(self.masquerade))
            except* MatrixError as errors:
                if not all(getattr(e, "errcode", "") in SESSION_GONE for e in errors.exceptions):
                    raise
                log.warning("the homeserver ended the bot's session; logging in again")
                await self.session.login()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


def _log_failure(task: "asyncio.Task[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("could not announce a Matrix outbox post", exc_info=task.exception())


def build(app: BridgeApp) -> MatrixAdapter:
    """This adapter's corner of the composition root: the only place here that sees the whole app."""
    return MatrixAdapter(app.core, app.cases.form_in_progress, app.transcripts.cards, app.surfaces)
