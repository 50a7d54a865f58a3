"""`make faults`: runs the fault scenarios one after another and prints one table.

    .venv/bin/python -m bench.faults            # the issue's durations: outages of a minute, 100 busy chats
    .venv/bin/python -m bench.faults --quick    # the same scenarios, small and short (about 3 minutes)
    .venv/bin/python -m bench.faults --only a,e # some of them

Exits 1 when any scenario lost, doubled or reordered something.
"""

import argparse
import asyncio
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.faults import (
    redis_restart,
    sentinel_failover,
    serve_kill,
    slack_errors,
    synapse_outage,
    two_hosts,
    worker_kill,
)
from bench.faults.tally import Tally, table

Scenario = Callable[[Path], Awaitable[list[Tally]]]


def scenarios(quick: bool) -> dict[str, Scenario]:
    minute = 5.0 if quick else 60.0
    busy = 20 if quick else 100
    return {
        "a": lambda d: serve_kill.run(d, chats=busy, messages=6 if quick else 10),
        "b": lambda d: redis_restart.run(d, chats=busy, messages=6 if quick else 10),
        "c": lambda d: slack_errors.run(d, chats=10 if quick else 20, outage=minute),
        "d": lambda d: synapse_outage.run(d, chats=5 if quick else 20, outage=minute),
        "e": lambda d: worker_kill.run(d, chats=10 if quick else 20, offer_timeout=2 if quick else 5,
                                       downtime=minute),
        "f": lambda d: sentinel_failover.run(d, chats=busy, messages=6 if quick else 10,
                                             appends=500 if quick else 5000),
        "g": lambda d: two_hosts.run(d, chats=busy, messages=6 if quick else 10),
    }


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split(" ")[2]
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, redis-server {redis.removeprefix('v=')}"


async def main(args: argparse.Namespace) -> int:
    logging.getLogger("nio").setLevel(logging.ERROR)  # the CSR's client retries quietly while Synapse is away
    chosen = scenarios(args.quick)
    names = args.only.split(",") if args.only else list(chosen)
    root = Path(tempfile.mkdtemp(prefix="csr-faults-"))
    tallies: list[Tally] = []
    started = time.monotonic()
    for name in names:
        began = time.monotonic()
        print(f"scenario {name} ...", flush=True)
        tallies += await chosen[name](root / name)
        print(f"scenario {name} done in {time.monotonic() - began:.0f} s", flush=True)
    print()
    print(f"Fault scenarios{' (--quick)' if args.quick else ''}: {machine()}")
    print(table(tallies))
    print(f"total {time.monotonic() - started:.0f} s; logs of serve, worker, Redis and Synapse in {root}"
          if args.keep else f"total {time.monotonic() - started:.0f} s")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if all(t.exactly_once for t in tallies) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small and short: outages of 5 s, 20 busy chats")
    parser.add_argument("--only", default="", help="comma-separated scenario letters (a-g)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory with every process' log")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
