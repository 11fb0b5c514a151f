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


def run(marks: Sequence[int], workers: int, budget_s: int, database_url: str) -> list[Row]:
    print(
        f"memory: RSS after {', '.join(f'{m:,}' for m in marks)} mixed requests "
        f"({workers} worker(s), time budget {budget_s} s)"
    )
    base = baseline_rss(workers)
    rows = [Row("memory", f"RSS baseline hello world ({workers}w)", f"{base:.1f} MB")]
    deadline = time.monotonic() + budget_s
    readings: list[tuple[int, float]] = []
    with serving(APP, workers, database_url) as server:
        requests = mixed(save_assessments(server, SAVED))
        idle = server.rss_mb()
        traffic = Traffic()
        for mark in marks:
            drive(server, requests, mark, traffic, deadline)
            readings.append((traffic.done, server.rss_mb()))
            print(f"  after {traffic.done:,} requests: {readings[-1][1]:.1f} MB")
            if traffic.out_of_time:
                break
    note = f"{traffic.errors:,} errors; " if traffic.errors else ""
    note += "time budget reached; " if traffic.out_of_time else ""
    rows.append(
        Row(
            "memory", f"RSS app after start ({workers}w)", f"{idle:.1f} MB", ratio=ratio(idle, base)
        )
    )
    for done, rss in readings:
        rows.append(
            Row(
                "memory",
                f"RSS app after {done:,} requests ({workers}w)",
                f"{rss:.1f} MB",
                detail=f"{note}score + /r/{{token}} alternating",
                ratio=ratio(rss, base),
                target=f"< {TARGET_MB:g} MB",
                met=rss < TARGET_MB and not traffic.errors,
            )
        )
    if len(readings) >= 2:
        (n1, r1), (n2, r2) = readings[0], readings[-1]
        growth = r2 - r1
        per_k = growth * 1024 / ((n2 - n1) / 1000) if n2 > n1 else 0.0
        rows.append(
            Row(
                "memory",
                f"RSS growth {n1:,} → {n2:,} requests",
                f"{growth:+.1f} MB",
                detail=f"{per_k:+.2f} KB per 1,000 requests; {note}".rstrip("; "),
                ratio=ratio(r2, r1),
                target=f"no growth (< {GROWTH_MB:g} MB)",
                met=growth < GROWTH_MB and not traffic.errors,
            )
        )
    return rows
