"""Resident memory after many requests of mixed traffic, twice, to show the size and any growth."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench import load
from bench.answers import SEED
from bench.http import SAVED, bodies, save_assessments
from bench.load import Request
from bench.report import Row, ratio
from bench.server import APP, BASELINE, Server, serving

TARGET_MB = 100.0
GROWTH_MB = 2.0  # allocator noise; a leak of 25 bytes a request over 80,000 requests is more
FIRST_CHUNK_S = 3
MAX_CHUNK_S = 60
BASELINE_TRAFFIC_S = 3


@dataclass(slots=True)
class Traffic:
    """Requests answered so far on one server, and how many failed."""

    done: int = 0
    errors: int = 0
    out_of_time: bool = False


def drive(
    server: Server, requests: Sequence[Request], until: int, traffic: Traffic, deadline: float
) -> None:
    """Send traffic in wrk runs sized from the measured rate until `until` requests have been
    answered in all, or the deadline passes."""
    rate = 0.0
    while traffic.done < until:
        left_s = int(deadline - time.monotonic())
        if left_s < 1:
            traffic.out_of_time = True
            return
        wanted = FIRST_CHUNK_S if not rate else math.ceil((until - traffic.done) / rate)
        found = load.run(server.base, requests, max(1, min(wanted, MAX_CHUNK_S, left_s)))
        traffic.done += found.requests
        traffic.errors += found.errors
        rate = found.rps or 1.0


def mixed(tokens: Sequence[str]) -> list[Request]:
    """Score requests with varying answers, alternating with share pages of saved results."""
    scores = bodies("/api/v1/score", SEED + 3)
    pages = [Request("GET", f"/r/{t}") for t in tokens]
    return [r for i, s in enumerate(scores) for r in (s, pages[i % len(pages)])]


def baseline_rss(workers: int) -> float:
    with serving(BASELINE, workers) as server:
        load.run(server.base, [Request("GET", "/")], BASELINE_TRAFFIC_S)
        return server.rss_mb()


@dataclass(frozen=True, slots=True)
class Reading:
    requests: int
    rss_mb: float
    short: bool  # the time budget ran out before this mark


def readings(
    marks: Sequence[int], workers: int, budget_s: int, database_url: str, saved: int
) -> tuple[float, list[Reading], Traffic]:
    """RSS after start, then after each mark of mixed traffic (until the budget runs out)."""
    deadline = time.monotonic() + budget_s
    found: list[Reading] = []
    with serving(APP, workers, database_url) as server:
        requests = mixed(save_assessments(server, saved))
        idle = server.rss_mb()
        traffic = Traffic()
        for mark in marks:
            drive(server, requests, mark, traffic, deadline)
            found.append(Reading(traffic.done, server.rss_mb(), traffic.out_of_time))
            print(f"  after {traffic.done:,} requests: {found[-1].rss_mb:.1f} MB")
            if traffic.out_of_time:
                break
    return idle, found, traffic


def growth_row(first: Reading, last: Reading) -> Row:
    growth = last.rss_mb - first.rss_mb
    per_k = growth * 1024 / ((last.requests - first.requests) / 1000)
    return Row(
        "memory",
        f"RSS growth {first.requests:,} → {last.requests:,} requests",
        f"{growth:+.1f} MB",
        detail=f"{per_k:+.1f} KB per 1,000 requests"
        + ("; time budget ran out before the last mark" if last.short else ""),
        ratio=ratio(last.rss_mb, first.rss_mb),
        target=f"no growth (< {GROWTH_MB:g} MB)",
        met=growth < GROWTH_MB,
    )


def run(
    marks: Sequence[int], workers: int, budget_s: int, database_url: str, saved: int = SAVED
) -> list[Row]:
    print(
        f"memory: RSS after {', '.join(f'{m:,}' for m in marks)} mixed requests over {saved} "
        f"saved results ({workers} worker(s), time budget {budget_s} s)"
    )
    base = baseline_rss(workers)
    idle, found, traffic = readings(marks, workers, budget_s, database_url, saved)
    errors = f"{traffic.errors:,} errors; " if traffic.errors else ""
    rows = [
        Row("memory", f"RSS baseline hello world ({workers}w)", f"{base:.1f} MB"),
        Row(
            "memory", f"RSS app after start ({workers}w)", f"{idle:.1f} MB", ratio=ratio(idle, base)
        ),
    ]
    for r in found:
        short = "time budget ran out before the mark; " if r.short else ""
        rows.append(
            Row(
                "memory",
                f"RSS app after {r.requests:,} requests ({workers}w)",
                f"{r.rss_mb:.1f} MB",
                detail=f"{errors}{short}score + /r/{{token}} of {saved} results alternating",
                ratio=ratio(r.rss_mb, base),
                target=f"< {TARGET_MB:g} MB",
                met=r.rss_mb < TARGET_MB and not traffic.errors,
            )
        )
    if len(found) >= 2 and found[-1].requests > found[0].requests:
        rows.append(growth_row(found[0], found[-1]))
    return rows
