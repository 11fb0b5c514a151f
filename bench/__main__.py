"""`python -m bench`: run every benchmark (or the parts named) and print one table."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from bench import engine, http, load, memory, nodelay, server, startup
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
    parser.add_argument(
        "--tcp-nodelay",
        action="store_true",
        help="start several workers through bench.nodelay (works around uvicorn#3149)",
    )
    parser.add_argument(
        "--uvicorn",
        choices=sorted(server.STACKS),
        default="standard",
        help="event loop and HTTP parser for app and baseline alike: standard (uvloop, "
        "httptools) or plain (asyncio, h11, as before uvicorn[standard])",
    )
    parser.add_argument("--engine-calls", type=int, default=2000, help="calls per engine figure")
    parser.add_argument(
        "--memory-requests", default="20000,100000", help="request counts to read RSS after"
    )
    parser.add_argument(
        "--memory-saved",
        type=int,
        default=memory.SAVED,
        help="saved results the memory traffic views (default 50)",
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
        f"load: {load.tool()}, 1 thread, {load.CONNECTIONS} connections, loopback only"
        + (
            f"; {args.duration} s per HTTP scenario after {http.WARMUP_S} s warm-up"
            if args.http
            else ""
        ),
        *(
            [
                "no wrk: the httpx client is the bottleneck here, ratios are compressed "
                "(apt-get install wrk)"
            ]
            if load.tool() == "httpx"
            else []
        ),
        f"uvicorn --loop {server.stack()[0]} --http {server.stack()[1]} --no-access-log "
        "--log-level warning for app and baseline alike; "
        f"the load generator shares the {len(os.sched_getaffinity(0))} cores with the workers",
        f"database: {database}",
        *nagle(workers_counts(args), args.tcp_nodelay),
        f"whole run: {seconds:.0f} s; load average at the end: {load_average()}",
    ]


def workers_counts(args: argparse.Namespace) -> list[int]:
    return counts(args.workers) if args.http else []


def nagle(workers: list[int], worked_around: bool) -> list[str]:
    """Say when N-worker rows measure uvicorn's lost TCP_NODELAY rather than the app."""
    if max(workers, default=1) <= 1:
        return []
    logging.disable(logging.INFO)  # bind_socket announces itself
    affected = not nodelay.binds_tcp()
    logging.disable(logging.NOTSET)
    if not affected:
        return []
    why = (
        "this uvicorn binds the --workers socket without IPPROTO_TCP (uvicorn#3149), so asyncio "
        "leaves Nagle on and each keep-alive response waits ~40 ms for a delayed ACK"
    )
    if worked_around:
        return [f"{why}; this run started several workers through bench.nodelay instead"]
    return [
        f"{why}: the N-worker rows measure that stall ({load.CONNECTIONS} connections ≈ "
        f"{load.CONNECTIONS * 23} req/s at most), not the app; --tcp-nodelay works around it"
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    os.environ[server.STACK_VARIABLE] = args.uvicorn  # read by every server this run starts
    workers = counts(args.workers)
    machine = describe()
    print("\n".join(machine), end="\n\n")
    began = time.monotonic()
    rows: list[Row] = []
    if args.engine:
        rows += engine.run(args.engine_calls)
    if args.http:
        rows += http.run(workers, args.duration, args.database_url, args.tcp_nodelay)
    if args.startup:
        rows += startup.run(args.database_url)
    if args.memory:
        marks = counts(args.memory_requests)
        rows += memory.run(
            marks, workers[0], args.memory_budget, args.database_url, args.memory_saved
        )
    notes = how(args, argv, time.monotonic() - began)
    print()
    print(text_table(rows))
    print()
    print("\n".join(notes))
    print(f"\nwritten: {write_markdown(machine, notes, rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
