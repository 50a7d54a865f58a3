"""Prints the load table for one run; `--help` lists the sizes."""

import argparse
import asyncio
import time

from bench.load.main import LoadPlan, add_arguments, plan_from, run_load
from bench.load.report import table


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    add_arguments(parser, LoadPlan())
    plan = plan_from(parser.parse_args())
    started = time.perf_counter()
    runs = asyncio.run(run_load(plan))
    print(table(runs))
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
