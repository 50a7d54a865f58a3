"""Hooks the reports area into an app's change feed: replies that finish later, and the dashboard signal."""

from bridge.app import BridgeApp
from reports.dashboard import DashboardSignal
from reports.outbox import FEED_KIND, ReplyOutbox


def wire_reports(app: BridgeApp) -> None:
    app.feed.subscribe(FEED_KIND, ReplyOutbox(app).on_notice)
    DashboardSignal(app).subscribe()
