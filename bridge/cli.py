"""The `csr-bridge` command line: serve, worker, check-config, kb reindex, transcripts export, customers
export|erase|audit, matrix registration."""

import argparse
import contextlib
import os
import sys
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisUnreachable

from adapters.matrix.appservice import cli as matrix_cli
from adapters.matrix.appservice.tokens import with_tokens
from bridge.config import BridgeConfig, ConfigError, load_config
from bridge.config.secrets_env import secret_values
from bridge.config.warnings import roster_warnings
from bridge.keys import Keys
from bridge.logs import configure_logging
from bridge.platform_posts import PostEraser
from bridge.redis_connect import redis_endpoint
from bridge.startup import StartupError
from cobrowse.checks import install_warnings
from knowledge import cli as kb_cli
from knowledge.checks import folder_warnings
from transcripts import cli as transcripts_cli
from transcripts.privacy import cli as customers_cli

if TYPE_CHECKING:
    from bridge.runtime import ServeProcess

DEFAULT_CONFIG = "config.toml"


def _version() -> str:
    try:
        return version("csr-bridge")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csr-bridge", description="Live website chats for CSRs in Slack and Matrix.")
    parser.add_argument("--version", action="version", version=f"csr-bridge {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="run the service: HTTP API, widget, enabled platform adapters")
    p.add_argument("--config", "-c", default=DEFAULT_CONFIG, help="TOML config file (default: %(default)s)")
    # How the first serve process starts the others ([server] processes); not for people.
    p.add_argument("--process", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--listen-fd", type=int, default=-1, help=argparse.SUPPRESS)

    p = sub.add_parser("worker", help="run an RQ worker with its scheduler (timers, exports, reports)")
    p.add_argument("--config", "-c", default=DEFAULT_CONFIG, help="TOML config file (default: %(default)s)")
    p.add_argument("--burst", action="store_true", help="exit when the queues are empty")

    p = sub.add_parser("check-config", help="validate a config file and print every problem at once")
    p.add_argument("file", nargs="?", default=DEFAULT_CONFIG, help="TOML config file (default: %(default)s)")
    kb_cli.add_parser(sub, DEFAULT_CONFIG)
    transcripts_cli.add_parser(sub, DEFAULT_CONFIG)
    customers_cli.add_parser(sub, DEFAULT_CONFIG, platform_erasers)
    matrix_cli.add_parser(sub, DEFAULT_CONFIG)
    return parser


def platform_erasers(cfg: BridgeConfig, redis: Redis, keys: Keys) -> Mapping[str, PostEraser]:
    """What `customers erase` uses to reach the bridge's posts: each enabled CSR platform's eraser."""
    from adapters.matrix.erase import MatrixEraser
    from adapters.slack.erase import SlackEraser

    erasers: dict[str, PostEraser] = {}
    if cfg.slack.enabled:
        erasers["slack"] = SlackEraser(cfg.slack, redis, keys)
    if cfg.matrix.enabled:
        erasers["matrix"] = MatrixEraser(cfg.matrix, redis, keys)
    return erasers


def _load_or_report(path: str) -> BridgeConfig | None:
    try:
        return load_config(path)
    except ConfigError as err:
        print(f"{path}: {len(err.problems)} problem(s):", file=sys.stderr)
        for problem in err.problems:
            print(f"  - {problem}", file=sys.stderr)
        return None


def _print_warnings(cfg: BridgeConfig) -> None:
    """Valid, but some customers would reach nobody; warnings leave the exit code at 0."""
    warnings = roster_warnings(cfg) + folder_warnings(cfg) + install_warnings(cfg)
    if warnings:
        print(f"{len(warnings)} warning(s):", file=sys.stderr)
    for warning in warnings:
        print(f"  - {warning}", file=sys.stderr)


def summary(cfg: BridgeConfig) -> str:
    platforms = [name for name, on in (("slack", cfg.slack.enabled), ("matrix", cfg.matrix.enabled)) if on]
    lines = [
        "Config is valid.",
        f"Serve: {cfg.server.host}:{cfg.server.port}, {cfg.server.processes} "
        f"process{'es' if cfg.server.processes > 1 else ''}",
        f"Redis: {redis_endpoint(cfg).describe() if cfg.redis.external else 'embedded (started by serve)'}",
        f"Store: {cfg.store_url.split('://')[0]}",
        f"Platforms: {', '.join(platforms) or 'none (widget only)'}",
        f"Queues ({len(cfg.queues)}):",
    ]
    for q in cfg.queues:
        overflow = f", overflow -> {q.overflow}" if q.overflow else ""
        lines.append(f"  {q.name:<16} {q.display_name} "
                     f"[{q.strategy}, offer {q.offer_timeout:g}s, max wait {q.max_wait:g}s{overflow}]")
    lines.append(f"Agents ({len(cfg.agents)}):")
    for a in cfg.agents:
        lines.append(f"  {a.id:<16} {a.display_name} "
                     f"({a.role}; queues: {', '.join(a.queues) or '-'}; capacity {cfg.capacity_of(a)})")
    lines.append(f"Widget topics: {', '.join(t.id + '->' + t.queue for t in cfg.widget.topics) or '-'}")
    langs = cfg.languages
    lines.append(f"Languages: {langs.default} (default); offered: {', '.join(langs.offered)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:  # `csr-bridge ... | head`: the reader had enough; no traceback, nothing more to write
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    path = args.file if args.command == "check-config" else args.config
    cfg = _load_or_report(path)
    if cfg is None:
        return 2
    if args.command == "check-config":
        print(summary(cfg))
        _print_warnings(cfg)
        return 0
    try:
        if args.command in ("serve", "customers") and cfg.matrix.enabled and cfg.matrix.appservice:
            cfg = with_tokens(cfg)
    except StartupError as err:
        print(f"csr-bridge: cannot start: {err}", file=sys.stderr)
        return 3
    configure_logging(cfg.server.log_format, cfg.server.log_level, secrets=secret_values(cfg))
    try:
        if args.command == "serve":
            import uvloop

            from bridge.runtime import serve

            uvloop.run(serve(cfg, path, _serve_process(args)))
        elif args.command == "worker":
            from bridge.worker import run_worker

            run_worker(cfg, burst=args.burst)
        elif hasattr(args, "run"):
            return int(args.run(cfg, path, args))
    except StartupError as err:
        print(f"csr-bridge: cannot start: {err}", file=sys.stderr)
        return 3
    except RedisUnreachable as err:
        print(f"csr-bridge {args.command}: cannot reach Redis ({err}). {_where_redis_runs(cfg)}", file=sys.stderr)
        return 3
    return 0


def _serve_process(args: argparse.Namespace) -> "ServeProcess":
    from bridge.runtime import ServeProcess

    if args.process < 0 or (args.process > 0) != (args.listen_fd >= 0):
        raise StartupError("--process and --listen-fd are how serve starts its other processes; "
                           "run serve without them")
    return ServeProcess(args.process, args.listen_fd)


def _where_redis_runs(cfg: BridgeConfig) -> str:
    """What to do about an unreachable Redis: the embedded one lives only as long as `serve`."""
    if cfg.redis.url or cfg.redis.sentinels:
        return "Check that the Redis in [redis] is up, then run the command again."
    return ("With no [redis] url the Redis is the one `csr-bridge serve` embeds: start serve with this config, "
            "then run the command again.")


if __name__ == "__main__":
    sys.exit(main())
