"""The one composition root: builds a BridgeApp from a config and a Redis client.

Tests call it with their own Redis; `serve`, `worker` and RQ jobs call it too. No I/O happens at
import time anywhere in the bridge.
"""


from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.attachments import AttachmentStore, DiskAttachments
from bridge.chats import ChatRepository
from bridge.commands import help as help_commands
from bridge.commands import notes as note_commands
from bridge.commands import tags as tag_commands
from bridge.commands.bus import CommandBus
from bridge.config.root import BridgeConfig
from bridge.events.delivery import ChatDelivery
from bridge.events.feed import ChangeFeed
from bridge.events.notices import Notices
from bridge.events.receipts import ReadMarks
from bridge.events.replicas import ReplicaWait
from bridge.events.shards import Shards
from bridge.events.stream import ChatStream
from bridge.events.threads import ThreadStore
from bridge.events.typing import TypingSignals
from bridge.jobs import Jobs
from bridge.keys import Keys
from bridge.metrics import Metrics
from bridge.platform_posts import PlatformPosts
from bridge.ports import AdapterStore, Core
from bridge.redis_connect import connect_redis, redis_endpoint
from bridge.roster import Roster
from bridge.service import ChatService
from cases import commands as case_commands
from cases.records import CaseRecords
from cases.service import CaseService
from cobrowse import commands as cobrowse_commands
from cobrowse.relay import Relay
from cobrowse.service import Cobrowse
from cobrowse.sessions import Sessions
from cobrowse.viewers import VIEWER_SECONDS, ViewerLinks
from followup.outbox import EmailFollowUp
from knowledge import commands as knowledge_commands
from knowledge.base import KnowledgeBase
from knowledge.hints import AutoSuggest
from reports import commands as report_commands
from reports import supervision_commands
from reports.feed import RoutingFeed
from reports.live import LiveViews
from reports.scope import SupervisorScope
from reports.wiring import wire_reports
from routing import commands as routing_commands
from routing import presence_commands
from routing.offers import OfferPresenter
from routing.router import Router
from transcripts import commands as transcript_commands
from transcripts import customer_commands
from transcripts.attachments import DatabaseAttachments
from transcripts.service import build_transcripts
from transcripts.store import TranscriptStore

__all__ = ["bootstrap", "connect_redis"]


def bootstrap(config: BridgeConfig, redis: Redis, redis_url: str, config_path: str = "") -> BridgeApp:
    keys = Keys(config.redis.key_prefix)
    chats = ChatRepository(redis, keys)
    stream = ChatStream(redis, keys, ReplicaWait(config.redis.wait_replicas, config.redis.wait_timeout_ms))
    threads = ThreadStore(redis, keys)
    feed = ChangeFeed(redis, keys)
    metrics = Metrics()
    jobs = Jobs(config, redis_endpoint(config, redis_url), config_path)
    router = Router(redis, keys, config, jobs, metrics)
    service = ChatService(chats, stream, router)
    surfaces: dict = {}
    shards = Shards(redis, keys)
    roster = Roster(config.agents)
    delivery = ChatDelivery(redis, keys, chats, stream, threads, surfaces, roster.by_id, metrics, owns=shards.owns)
    transcripts = build_transcripts(config, redis, keys, chats, stream, jobs)
    app = BridgeApp(
        config=config,
        config_path=config_path,
        redis=redis,
        redis_url=redis_url,
        keys=keys,
        chats=chats,
        stream=stream,
        threads=threads,
        feed=feed,
        attachments=attachment_store(config, transcripts.store),
        router=router,
        jobs=jobs,
        service=service,
        delivery=delivery,
        metrics=metrics,
        shards=shards,
        roster=roster,
        surfaces=surfaces,
    )
    app.knowledge = KnowledgeBase(config)
    feed.subscribe("kb", app.knowledge.on_reindex_request)
    if config.knowledge.suggest_automatically:  # a feature switched off costs the feed no task per message
        feed.subscribe("chat", AutoSuggest(config.knowledge, app.knowledge, service, chats, stream).on_chat_change,
                       only=shards.owns)
    app.transcripts = transcripts
    feed.subscribe("closed", app.transcripts.archiver.on_closed_chat_change, only=shards.owns)
    app.cases = CaseService(config.cases, CaseRecords(redis, keys), service, stream, jobs, keys.prefix)
    feed.subscribe("chat", delivery.wake, only=shards.owns)
    app.cobrowse = build_cobrowse(app)
    feed.subscribe("closed", app.cobrowse.on_chat_closed, only=shards.owns)
    if config.email.enabled:
        feed.subscribe("chat", EmailFollowUp(config.email, redis, keys, chats, stream, jobs.enqueue).on_chat_change,
                       only=shards.owns)
    app.offers = OfferPresenter(redis, keys, config, chats, stream, surfaces, router.state)
    feed.subscribe("offer", app.offers.on_change)
    app.notices = Notices(redis, keys, surfaces, roster.by_id)
    wire_reports(config, redis, keys, feed, roster, surfaces)
    app.commands = command_bus(app, jobs)
    app.core = Core(config=config, service=service, commands=app.commands, agents=app.roster, chats=chats,
                    events=stream, threads=threads, feed=feed, attachments=app.attachments, metrics=metrics,
                    store=AdapterStore(redis, keys, stream.batch), typing=TypingSignals(redis, keys, feed),
                    reads=ReadMarks(redis, keys, feed), posts=PlatformPosts(redis, keys, stream.batch))
    return app


def attachment_store(config: BridgeConfig, store: TranscriptStore) -> AttachmentStore:
    """`[store] attachments`: this host's data directory, or the SQL store every host reaches."""
    if config.store.attachments == "database":
        return DatabaseAttachments(store)
    return DiskAttachments(config.data_path / "attachments")


def build_cobrowse(app: BridgeApp) -> Cobrowse:
    cfg = app.config.cobrowse
    return Cobrowse(cfg, str(app.config.server.public_url), app.service,
                    Sessions(app.redis, app.keys, cfg.ask_minutes * 60),
                    ViewerLinks(app.redis, app.keys, cfg.link_minutes * 60),
                    Relay(app.redis, app.keys, cfg.limits, VIEWER_SECONDS, cfg.record), app.roster, app.chats)


def command_bus(app: BridgeApp, jobs: Jobs) -> CommandBus:
    """Every feature's commands, each built from what it needs, joined here in one list."""
    bus = CommandBus(app.chats, app.router.agent_chat_ids, app.config)
    scope = SupervisorScope(app.config, app.chats)
    bus.register([
        *help_commands.commands(bus.visible_to),
        *knowledge_commands.commands(app.knowledge, app.service, app.stream, app.config),
        *note_commands.commands(app.service),
        *tag_commands.commands(app.service, app.config),
        *transcript_commands.commands(app.threads, jobs.enqueue),
        *customer_commands.commands(app.config, app.transcripts.cards, app.transcripts.store, app.threads,
                                    jobs.enqueue),
        *case_commands.commands(app.cases),
        *cobrowse_commands.commands(app.cobrowse, app.service),
        *presence_commands.commands(app.router, app.config),
        *routing_commands.commands(app.router, app.chats, app.config),
        *report_commands.commands(app.config, LiveViews(app.config, app.chats, app.router.state,
                                                        RoutingFeed(app.redis, app.keys)),
                                  lambda: app.router.clock(), scope, jobs.enqueue),  # read late: tests swap it
        *supervision_commands.commands(scope, app.config, app.service, app.router, app.threads, app.surfaces,
                                       app.notices),
    ])
    return bus
