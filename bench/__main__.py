"""`python -m bench`: run every benchmark (or the parts named) and print one table."""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench import engine, http, load, memory, startup
from bench.machine import describe, load_average
from bench.report import Row, text_table, write_markdown


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks with ratios against a baseline measured in the same run. "
        "With no part named, every part runs.",
    )
    parser.add_argument("--engine", action="store_true", help="engine microseconds per call")
    parser.add_argument("--http", action="store_true", help="requests/s against the baseline")
    parser.add_argument("--startup", action="store_true", help="cold start, median of 5")
    parser.add_argument("--memory", action="store_true", help="RSS after mixed traffic")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts (default 1,2)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per HTTP scenario")
    parser.add_argument(
        "--database-url", default="", help="e.g. postgresql+psycopg://… (throwaway)"
    )
    parser.add_argument("--engine-calls", type=int, default=2000, help="calls per engine figure")
    parser.add_argument(
        "--memory-requests", default="20000,100000", help="request counts to read RSS after"
    )
    parser.add_argument(
        "--memory-budget", type=int, default=300, help="seconds the memory traffic may take"
    )
    args = parser.parse_args(argv)
    if not (args.engine or args.http or args.startup or args.memory):
        args.engine = args.http = args.startup = args.memory = True
    return args


def counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def how(args: argparse.Namespace, argv: list[str] | None, seconds: float) -> list[str]:
    """How the figures were taken, printed under the table."""
    command = " ".join(sys.argv[1:] if argv is None else argv)
    database = "the --database-url given" if args.database_url else "SQLite in a fresh temp dir"
    return [
        f"command: python -m bench {command}".rstrip(),
        f"load: {load.tool()}, 1 thread, {load.CONNECTIONS} connections, "
        f"{args.duration} s per scenario after {http.WARMUP_S} s warm-up, loopback only",
        "uvicorn --no-access-log --log-level warning for app and baseline alike; "
        f"the load generator shares the {len(os.sched_getaffinity(0))} cores with the workers",
        f"database: {database}",
        f"whole run: {seconds:.0f} s; load average at the end: {load_average()}",
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    workers = counts(args.workers)
    machine = describe()
    print("\n".join(machine), end="\n\n")
    began = time.monotonic()
    rows: list[Row] = []
    if args.engine:
        rows += engine.run(args.engine_calls)
    if args.http:
        rows += http.run(workers, args.duration, args.database_url)
    if args.startup:
        rows += startup.run(args.database_url)
    if args.memory:
        marks = counts(args.memory_requests)
        rows += memory.run(marks, workers[0], args.memory_budget, args.database_url)
    notes = how(args, argv, time.monotonic() - began)
    print()
    print(text_table(rows))
    print()
    print("\n".join(notes))
    print(f"\nwritten: {write_markdown(machine, notes, rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
