"""`csr-bridge customers export|erase|audit`: a customer's data on request (GDPR), for admins.

Exit codes: 0 done (export written; everything erased), 1 erase not done or not complete (refused while a chat is
open, cancelled, or items it could not reach, listed as NOT REACHED), 2 bad input, 3 a store or a CSR platform is
unavailable (nothing, or only what came before the store failed, was erased: run it again).
Every export and erase is written to the audit trail (`customers audit` lists it), including those that found
nothing, were cancelled or failed.
"""

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.attachments import AttachmentsUnavailable
from bridge.config.root import BridgeConfig
from bridge.keys import Keys
from bridge.platform_posts import PostEraser
from transcripts.privacy.audit import Action, AuditTrail, Outcome, requester
from transcripts.privacy.erase import Erasure, Item, PlatformsUnreachable, open_chats
from transcripts.privacy.export import write_export
from transcripts.privacy.person import Person, PersonFinder
from transcripts.privacy.selector import Selector, SelectorError, selector_from
from transcripts.store import StoreUnavailable

ErasersFactory = Callable[[BridgeConfig, Redis, Keys], Mapping[str, PostEraser]]
"""Builds the CSR platforms' erasers for a config (the composition root knows the adapters)."""
Work = Callable[..., Awaitable[int]]
"""An action: (app, args, selector, audit trail, request id, *extra) -> exit code."""
CONFIRM = "erase"


def add_parser(sub: Any, default_config: str, erasers: ErasersFactory) -> None:
    p = sub.add_parser("customers", help="a customer's data on request (GDPR): export, erase, audit trail")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write everything kept about a customer as one JSON file")
    export.add_argument("--output", "-o", required=True, help="file to write (mode 0600), or - for standard output")
    erase = actions.add_parser("erase", help="erase a customer's data from Redis, the SQL store, attachment "
                                             "storage and the bridge's Slack and Matrix posts")
    erase.add_argument("--yes", action="store_true", help="erase without asking first")
    erase.add_argument("--end-open-chats", action="store_true",
                       help="end the customer's open chats first (without it, an open chat stops the erase)")
    audit = actions.add_parser("audit", help="list the export and erase requests, newest first")
    audit.add_argument("--limit", type=_positive, default=50, help="at most this many (default: %(default)s)")
    for action, required in ((export, True), (erase, True), (audit, False)):
        action.add_argument("--config", "-c", default=default_config, help="TOML config file (default: %(default)s)")
        who = action.add_mutually_exclusive_group(required=required)
        who.add_argument("--email", help="the customer's email (any case)")
        who.add_argument("--user-id", help="the customer's verified user id on the host site")
    for action in (export, erase):
        action.add_argument("--by", default="", help="who asks, for the audit trail (default: the OS user)")
    export.set_defaults(run=lambda cfg, path, args: _run(cfg, path, args, _export))
    erase.set_defaults(run=lambda cfg, path, args: _run(cfg, path, args, _erase, erasers))
    audit.set_defaults(run=run_audit)


def _positive(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 10_000:
        raise argparse.ArgumentTypeError("a number from 1 to 10000")
    return int(text)


def _selector(args: argparse.Namespace) -> Selector | None:
    try:
        return selector_from(args.email, args.user_id)
    except SelectorError as exc:
        print(f"csr-bridge customers: {exc}", file=sys.stderr)
        return None


def _run(cfg: BridgeConfig, config_path: str, args: argparse.Namespace, work: Work, *extra: ErasersFactory) -> int:
    """Checks the request, opens the bridge's stores, audits the request and runs `work` on it."""
    selector = _selector(args)
    if selector is None:
        return 2
    if args.action == "erase" and not args.yes and not sys.stdin.isatty():
        print("csr-bridge customers erase: nobody can confirm at this terminal; pass --yes", file=sys.stderr)
        return 2
    if args.action == "export" and args.output != "-" and not Path(args.output).parent.is_dir():
        print(f"csr-bridge customers export: no folder {Path(args.output).parent} to write into", file=sys.stderr)
        return 2

    async def main() -> int:
        from bridge.bootstrap import bootstrap
        from bridge.redis_connect import connect_redis, redis_endpoint

        redis = connect_redis(redis_endpoint(cfg))
        app = bootstrap(cfg, redis, cfg.redis_url, config_path)
        trail = AuditTrail(app.transcripts.store)
        try:
            await redis.ping()  # an unreachable Redis stops the request before it is audited as started
            request = await trail.start(Action(args.action), selector, requester(args.by))
            try:
                return await work(app, args, selector, trail, request, *extra)
            except (StoreUnavailable, AttachmentsUnavailable) as exc:
                with contextlib.suppress(StoreUnavailable):
                    await trail.finish(request, Outcome.FAILED, {}, str(exc))
                raise
        except (StoreUnavailable, AttachmentsUnavailable) as exc:
            print(f"a store is unavailable ({exc}); run the same command again once it is back", file=sys.stderr)
            return 3
        finally:
            await app.transcripts.store.close()
            await redis.aclose()

    return asyncio.run(main())


async def _find(app: BridgeApp, selector: Selector) -> Person:
    return await PersonFinder(app.redis, app.keys, app.chats, app.stream, app.transcripts.store).find(selector)


async def _export(app: BridgeApp, args: argparse.Namespace, selector: Selector, trail: AuditTrail,
                  request: int) -> int:
    person = await _find(app, selector)
    with _output(args.output) as out:
        counts = await write_export(person, out, app.attachments, app.redis, app.keys)
    where = "standard output" if args.output == "-" else args.output
    if person.found:
        print(f"exported {_counts(counts)} about {selector.describe()} to {where}", file=sys.stderr)
    else:
        print(f"nothing is kept about {selector.describe()}: wrote an empty document to {where}", file=sys.stderr)
    await trail.finish(request, Outcome.DONE if person.found else Outcome.NOTHING_FOUND, dict(counts))
    return 0


@contextlib.contextmanager
def _output(path: str) -> Iterator[TextIO]:
    """Standard output, or the file: written beside it first (only its owner may read it), renamed when whole."""
    if path == "-":
        yield sys.stdout
        return
    partial = Path(f"{path}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with open(descriptor, "w", encoding="utf-8") as out:
            yield out
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


async def _erase(app: BridgeApp, args: argparse.Namespace, selector: Selector, trail: AuditTrail, request: int,
                 erasers: ErasersFactory) -> int:
    person = await _find(app, selector)
    found = {"customers": len(person.customers), "chats": len(person.chats)}
    if not person.found:
        print(f"nothing is kept about {selector.describe()}; nothing to erase")
        await trail.finish(request, Outcome.NOTHING_FOUND, found)
        return 0
    still_open = open_chats(person)
    if still_open and not args.end_open_chats:
        for record in still_open:
            print(f"chat {record.chat.id} is open ({record.chat.state.value}, queue {record.chat.queue})",
                  file=sys.stderr)
        print("nothing was erased: end the chats first, or pass --end-open-chats to end them now", file=sys.stderr)
        await trail.finish(request, Outcome.REFUSED, found, f"{len(still_open)} open chat(s)")
        return 1
    print(f"About {selector.describe()}: {len(person.customers)} customer record(s), {len(person.chats)} chat(s)"
          + (f", {len(still_open)} of them open (they will be ended)" if still_open else "") + ".")
    if not args.yes and input(f'Erase all of it, here and on Slack and Matrix? Type "{CONFIRM}" to go on: ') \
            .strip() != CONFIRM:
        print("cancelled; nothing was erased")
        await trail.finish(request, Outcome.CANCELLED, found)
        return 1
    platforms = erasers(app.config, app.redis, app.keys)
    try:
        items = await Erasure(app.redis, app.keys, app.transcripts.store, app.attachments, platforms,
                              lambda chat_id: app.router.close(chat_id, "data_erased", "")).erase(person)
    except PlatformsUnreachable as exc:
        print(f"nothing was erased: {exc}; run the same command again once it answers", file=sys.stderr)
        await trail.finish(request, Outcome.FAILED, found, str(exc))
        return 3
    finally:
        for eraser in platforms.values():
            await eraser.close()
    missed = [i for i in items if not i.erased]
    for item in items:
        print(_line(item))
    print(f"Erased {len(items) - len(missed)} item(s)" + (f"; {len(missed)} could not be reached (NOT REACHED above)"
                                                           if missed else "; nothing was left out") + ".")
    counts = {**found, "erased": len(items) - len(missed), "not_reached": len(missed)}
    await trail.finish(request, Outcome.PARTIAL if missed else Outcome.DONE, counts,
                       "\n".join(_line(i) for i in missed))
    return 1 if missed else 0


def _line(item: Item) -> str:
    return f"{'erased' if item.erased else 'NOT REACHED':<12} {item.where:<12} {item.what}: {item.detail}"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


def run_audit(cfg: BridgeConfig, _config_path: str, args: argparse.Namespace) -> int:
    about = None
    if args.email is not None or args.user_id is not None:
        about = _selector(args)
        if about is None:
            return 2

    async def main() -> int:
        from transcripts.store import TranscriptStore

        store = TranscriptStore(cfg.store_url, create_parent=not cfg.store.url)
        try:
            rows = await AuditTrail(store).recent(args.limit, about)
        except StoreUnavailable as exc:
            print(f"the transcript store is unavailable: {exc}", file=sys.stderr)
            return 3
        finally:
            await store.close()
        if not rows:
            print("no requests recorded" + (f" about {about.describe()}" if about else ""))
            return 0
        print(f"{'ID':>5}  {'WHEN (UTC)':<19}  {'BY':<16} {'ACTION':<7} {'ABOUT':<28} {'OUTCOME':<13} COUNTS")
        for r in rows:
            when = datetime.fromtimestamp(r.requested_at, UTC).strftime("%Y-%m-%d %H:%M:%S")
            about_text = f"{r.selector} {r.selector_hint}"
            print(f"{r.id:>5}  {when:<19}  {r.requested_by[:16]:<16} {r.action:<7} {about_text[:28]:<28} "
                  f"{r.outcome:<13} {_counts(r.counts) or '-'}")
        return 0

    return asyncio.run(main())
