"""The report as an RQ job: figures from the archive and the routing feed, the table, the chart and
the CSV, handed to the reply outbox for a serve process to post. Runs in its own worker process."""

from bridge.commands.replies import FileReply, Reply, Text
from bridge.config.root import BridgeConfig
from bridge.job_runner import run_in_app
from reports.chart import render_chart
from reports.feed import RoutingFeed
from reports.figures import build_report
from reports.filters import ChatFilter
from reports.outbox import ReplyOutbox, ReplyTo
from reports.period import period
from reports.sources import HistorySources
from reports.table import as_csv, as_table
from transcripts.store import StoreUnavailable, TranscriptStore


def post_report(config_path: str, name: str, queues: list[str], agent_id: str, platform: str,
                conversation: str = "", thread: str = "", tags: list[str] | None = None,
                outcome: str | None = None) -> str:
    """`conversation` is set only when the report is public (asked for in the supervisors' channel or room);
    `tags` and `outcome` (checked by the command) narrow it to the chats filed that way."""
    to = ReplyTo(agent_id, platform, conversation, thread)
    found = ChatFilter(tuple(tags or ()), outcome)
    return run_in_app(config_path, lambda app: _post(
        app.config, app.router.clock(), app.transcripts.store,
        HistorySources(app.transcripts.store, app.chats, app.stream, RoutingFeed(app.redis, app.keys),
                       app.config.transcripts.keep_live_hours * 3600),
        ReplyOutbox(app.redis, app.keys, app.feed, app.roster, app.surfaces), name, queues, to, found))


async def _post(config: BridgeConfig, now: float, store: TranscriptStore, sources: HistorySources,
                outbox: ReplyOutbox, name: str, queues: list[str], to: ReplyTo, found: ChatFilter) -> str:
    try:
        replies = await build_replies(config, now, sources, name, queues, public=bool(to.conversation), found=found)
    except StoreUnavailable:
        replies = [Text("The report could not be built: the transcript store is unreachable. "
                        "Try again in a few minutes.", error=True)]
    finally:
        await store.close()
    await outbox.put(to, replies)
    return f"{len(replies)} replies for {to.agent_id}"


async def build_replies(config: BridgeConfig, now: float, sources: HistorySources, name: str, queues: list[str],
                        public: bool = False, found: ChatFilter = ChatFilter()) -> list[Reply]:
    p = period(name, now, config.reports.timezone)
    report = build_report([h for h in await sources.histories(p.start) if found.matches(h)], p, queues)
    every = len(queues) == len(config.queues)
    scope = "all queues" if every else ", ".join(config.queue(q).display_name for q in queues)
    title = f"Report for {scope}, {p.label}{found.label}"
    stem = f"report-{name}-{'all' if every else '-'.join(queues)}{found.stem}"
    return [
        as_table(report, config, title, public),
        FileReply(f"{stem}.png", "image/png", render_chart(report, config, title), title, public),
        FileReply(f"{stem}.csv", "text/csv", as_csv(report, config), "The same table as CSV.", public),
    ]
