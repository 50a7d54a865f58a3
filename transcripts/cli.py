"""`csr-bridge transcripts export --since DATE [--queue Q] [--tag T]... [--outcome O] --format jsonl|csv
[--output FILE]`, and for archives the database kept refusing, `transcripts parked` (list them) and
`transcripts retry` (archive again)."""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from redis.asyncio import Redis

from bridge.config.root import BridgeConfig
from bridge.domain.tags import NO_OUTCOME, BadTag, normalise_tag, normalise_tags
from bridge.keys import Keys
from bridge.redis_text import text_or_none
from transcripts.export import write_csv, write_jsonl
from transcripts.parked import ParkedArchives
from transcripts.store import StoreUnavailable, TranscriptStore


def add_parser(sub: Any, default_config: str) -> None:
    p = sub.add_parser("transcripts", help="archived chat transcripts: export, parked archives")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    e = actions.add_parser("export", help="write archived chats closed since a date as JSON Lines or CSV")
    e.add_argument("--config", "-c", default=default_config, help="TOML config file (default: %(default)s)")
    e.add_argument("--since", required=True, type=_since, help="YYYY-MM-DD or an ISO date-time (UTC if no zone)")
    e.add_argument("--queue", default="", help="only chats that ended in this queue")
    e.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help="only chats filed under this tag (repeat it: chats with every one)")
    e.add_argument("--outcome", default=None,
                   help=f"only chats that ended with this outcome ({NO_OUTCOME}: those ended without one)")
    e.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    e.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    e.set_defaults(run=run)
    parked = actions.add_parser("parked", help="list chats whose archive the database kept refusing")
    retry = actions.add_parser("retry", help="archive parked chats again (after fixing what refused them)")
    retry.add_argument("chats", nargs="*", metavar="CHAT", help="chat ids from `transcripts parked`")
    retry.add_argument("--all", action="store_true", help="every parked chat")
    for admin in (parked, retry):
        admin.add_argument("--config", "-c", default=default_config, help="TOML config file (default: %(default)s)")
    parked.set_defaults(run=run_parked)
    retry.set_defaults(run=run_retry)


def _since(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text) if "T" in text or " " in text else datetime.combine(
            date.fromisoformat(text), datetime.min.time())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD) or ISO date-time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def run(cfg: BridgeConfig, _config_path: str, args: argparse.Namespace) -> int:
    if args.queue and args.queue not in {q.name for q in cfg.queues}:
        print(f"no queue named {args.queue!r} in the config", file=sys.stderr)
        return 2
    try:
        args.tag = normalise_tags(args.tag)
        args.outcome = _outcome(cfg, args.outcome)
    except BadTag as exc:
        print(f"{exc}", file=sys.stderr)
        return 2
    return asyncio.run(_export(cfg, args))


def _outcome(cfg: BridgeConfig, given: str | None) -> str | None:
    """The outcome to filter by: None for any, "" for chats that ended without one. One the config no longer
    lists still matches the chats archived with it, so it is only noted."""
    if given is None:
        return None
    outcome = normalise_tag(given, "An outcome")
    if outcome == NO_OUTCOME:
        return ""
    if outcome not in cfg.chats.outcomes:
        listed = ", ".join(cfg.chats.outcomes) or "none configured"
        print(f"note: {outcome!r} is not a configured outcome ({listed}); exporting the chats archived with it",
              file=sys.stderr)
    return outcome


async def _export(cfg: BridgeConfig, args: argparse.Namespace) -> int:
    store = TranscriptStore(cfg.store_url, create_parent=not cfg.store.url)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        writer = write_jsonl if args.format == "jsonl" else write_csv
        count = await writer(store.closed_since(args.since, args.queue or None, args.tag, args.outcome), out)
    except StoreUnavailable as exc:
        print(f"the transcript store is unavailable: {exc}", file=sys.stderr)
        return 3
    finally:
        if out is not sys.stdout:
            out.close()
        await store.close()
    print(f"exported {count} chat(s)", file=sys.stderr)
    return 0


def run_parked(cfg: BridgeConfig, _config_path: str, args: argparse.Namespace) -> int:
    async def show(redis: Redis, _redis_url: str) -> int:
        return await _list_parked(redis, Keys(cfg.redis.key_prefix))

    return _with_redis(cfg, args, show)


def run_retry(cfg: BridgeConfig, config_path: str, args: argparse.Namespace) -> int:
    if bool(args.chats) == args.all:
        print("name the chats to retry, or pass --all", file=sys.stderr)
        return 2

    async def retry(redis: Redis, redis_url: str) -> int:
        from bridge.bootstrap import bootstrap

        app = bootstrap(cfg, redis, redis_url, config_path)
        archiver = app.transcripts.archiver
        wanted = [p.chat_id for p in await archiver.parked.all()] if args.all else list(args.chats)
        retried = await archiver.retry(wanted)
        for chat_id in sorted(set(wanted) - set(retried)):
            print(f"not parked: {chat_id}", file=sys.stderr)
        print(f"{len(retried)} chat(s) scheduled for archiving again")
        return 0 if len(retried) == len(set(wanted)) else 1

    return _with_redis(cfg, args, retry)


async def _list_parked(redis: Redis, keys: Keys) -> int:
    parked = await ParkedArchives(redis, keys).all()
    if not parked:
        print("no parked chats")
        return 0
    print(f"{'CHAT':<24} {'PARKED AT (UTC)':<20} {'ATTEMPTS':>8} {'QUEUE':<16} ERROR")
    for p in parked:
        queue = text_or_none(await redis.hget(keys.chat(p.chat_id), "queue")) or "(gone)"
        when = datetime.fromtimestamp(p.parked_at, UTC).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{p.chat_id:<24} {when:<20} {p.attempts:>8} {queue:<16} {p.error}")
    print(f"{len(parked)} parked chat(s); `csr-bridge transcripts retry --all` archives them again")
    return 0


def _with_redis(cfg: BridgeConfig, args: argparse.Namespace,
                work: Callable[[Redis, str], Awaitable[int]]) -> int:
    """Runs `work(redis, url)` against the bridge's Redis (the embedded one of a running `serve` too)."""
    redis_url = cfg.redis_url

    async def main() -> int:
        from bridge.redis_connect import connect_redis, redis_endpoint

        redis = connect_redis(redis_endpoint(cfg))
        try:
            return await work(redis, redis_url)
        finally:
            await redis.aclose()

    return asyncio.run(main())
