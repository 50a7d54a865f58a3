"""`csr-bridge transcripts export --since DATE [--queue Q] --format jsonl|csv [--output FILE]`."""

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from typing import Any

from bridge.config.root import BridgeConfig
from transcripts.export import write_csv, write_jsonl
from transcripts.store import StoreUnavailable, TranscriptStore


def add_parser(sub: Any, default_config: str) -> None:
    p = sub.add_parser("transcripts", help="archived chat transcripts: export")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    e = actions.add_parser("export", help="write archived chats closed since a date as JSON Lines or CSV")
    e.add_argument("--config", "-c", default=default_config, help="TOML config file (default: %(default)s)")
    e.add_argument("--since", required=True, type=_since, help="YYYY-MM-DD or an ISO date-time (UTC if no zone)")
    e.add_argument("--queue", default="", help="only chats that ended in this queue")
    e.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    e.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    e.set_defaults(run=run)


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
    return asyncio.run(_export(cfg, args))


async def _export(cfg: BridgeConfig, args: argparse.Namespace) -> int:
    store = TranscriptStore(cfg.store_url, create_parent=not cfg.store.url)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        writer = write_jsonl if args.format == "jsonl" else write_csv
        count = await writer(store.closed_since(args.since, args.queue or None), out)
    except StoreUnavailable as exc:
        print(f"the transcript store is unavailable: {exc}", file=sys.stderr)
        return 3
    finally:
        if out is not sys.stdout:
            out.close()
        await store.close()
    print(f"exported {count} chat(s)", file=sys.stderr)
    return 0
