"""Hooks the reports area into an app's change feed: replies that finish later, and the dashboard signal."""

from redis.asyncio import Redis

from bridge.config.root import BridgeConfig
from bridge.events.feed import ChangeFeed
from bridge.keys import Keys
from bridge.ports import AgentSurface
from bridge.roster import Roster
from reports.dashboard import DashboardSignal
from reports.outbox import FEED_KIND, ReplyOutbox


def wire_reports(config: BridgeConfig, redis: Redis, keys: Keys, feed: ChangeFeed, roster: Roster,
                 surfaces: dict[str, AgentSurface]) -> None:
    feed.subscribe(FEED_KIND, ReplyOutbox(redis, keys, feed, roster, surfaces).on_notice)
    DashboardSignal(redis, keys, feed, config.reports.dashboard_seconds).subscribe()
