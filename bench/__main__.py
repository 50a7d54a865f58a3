"""`make bench`: the load run (Slack and Matrix, with the bare-SDK baseline), memory per open chat, routing
cost by number of CSRs, throughput by number of serve processes, and capacity per queue at the platforms' real
limits (`paced`); one table each.

The defaults finish in about 35 minutes on 2 cores (the paced part alone takes 25: `--skip paced` leaves it
out, `python -m bench.paced --quick` is its smoke run); `--scale-chats 10000` and bigger load sizes are flags.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.load.main import LoadPlan, add_arguments, plan_from, run_load
from bench.load.report import table
from bench.machine import describe
from bench.paced.main import PacedPlan, run_paced
from bench.paced.report import ratios
from bench.paced.report import table as paced_table
from bench.routing.__main__ import main as routing_main
from bench.scale.memory import run_memory
from bench.scale.processes import run_processes
from bench.scale.report import memory_table, processes_table


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    add_arguments(parser, LoadPlan())
    parser.add_argument("--scale-chats", type=int, default=2_000, help="open chats for the memory run")
    parser.add_argument("--scale-csrs", type=int, default=1_000, help="CSRs for the memory run")
    parser.add_argument("--processes", default="1,2,4", help="serve process counts to compare")
    parser.add_argument("--process-customers", type=int, default=100)
    parser.add_argument("--skip", default="",
                        help="comma list of parts to skip: load,memory,routing,processes,paced")
    return parser.parse_args()


async def run(args: argparse.Namespace) -> None:
    skip = set(filter(None, args.skip.split(",")))
    print(f"Machine: {describe()}\n", flush=True)
    if "load" not in skip:
        plan = plan_from(args)
        serving = "one serve process" if plan.serve_processes == 1 else \
            f"one serve with {plan.serve_processes} processes ([server] processes)"
        print(f"Load: {serving} + one RQ worker; Slack on the fake Web API server, Matrix on Synapse "
              f"(bot mode, then appservice mode); "
              f"{plan.rounds} conversation rounds and {plan.flood} flood messages per chat", flush=True)
        print(table(await run_load(plan)) + "\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="csr-bench-") as tmp:
        if "memory" not in skip:
            memory = await run_memory(Path(tmp) / "memory", args.scale_chats, args.scale_csrs)
            print("Memory per open chat (Slack, one serve process)\n" + memory_table(memory) + "\n", flush=True)
        if "processes" not in skip:
            counts = tuple(int(n) for n in args.processes.split(","))
            runs = await run_processes(Path(tmp) / "processes", counts, args.process_customers,
                                       max(1, args.process_customers // 10), args.flood)
            print(f"Throughput by serve processes (one Redis, {args.process_customers} chats flooding, Slack)\n"
                  + processes_table(runs) + "\n", flush=True)
    if "routing" not in skip:
        await routing_main()
    if "paced" not in skip:
        print("\nPaced: capacity per queue at Slack's and Synapse's real limits (customer -> thread p95 < 3 s)",
              flush=True)
        runs = await run_paced(PacedPlan(), lambda line: print(line, flush=True))
        print(paced_table(runs) + "\n" + ratios(runs), flush=True)


def main() -> None:
    args = parse()
    started = time.perf_counter()
    asyncio.run(run(args))
    print(f"\nbench total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
