"""Prints the paced table: the most open chats per queue with customer-to-thread p95 under 3 s, on Slack with
1, 2 and 4 channels per queue and on Matrix in bot mode, at the platforms' real limits; `--help` for sizes."""

import argparse
import asyncio
import time

from bench.machine import describe
from bench.paced.main import add_arguments, plan_from, run_paced
from bench.paced.report import ratios, table


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.paced", description=__doc__)
    add_arguments(parser)
    plan = plan_from(parser.parse_args())
    started = time.perf_counter()
    print(f"Machine: {describe()}", flush=True)
    runs = asyncio.run(run_paced(plan, lambda line: print(line, flush=True)))
    print(table(runs))
    print(ratios(runs))
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
