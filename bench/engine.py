"""Microseconds per engine call on drawn answer sets: the numeric core and the full analysis."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

from bench.answers import Draw, catalogue, draws
from bench.report import Row
from cm_advisor import engine
from cm_advisor.engine import Catalogue, check_input, ranking

PLAIN_TARGET_US = 30.0
FULL_TARGET_US = None  # the 300 µs target is retired (issue 17): out of reach in Python
DISTINCT = 500  # answer sets cycled through
WARMUP = 200


def timed(calls: int, work: Callable[[int], object]) -> list[float]:
    """Microseconds for each of `calls` calls of work(i), after a warm-up."""
    for i in range(min(WARMUP, calls)):
        work(i)
    clock = time.perf_counter_ns
    found = []
    for i in range(calls):
        start = clock()
        work(i)
        found.append((clock() - start) / 1000)
    return found


def plain_ranking(cat: Catalogue, sets: Sequence[Draw], calls: int) -> list[float]:
    """Scores and order of answers already checked (as the engine gets them)."""
    checked = [check_input(cat, d.answers, d.weights, d.population) for d in sets]

    def work(i: int) -> object:
        c = checked[i % len(checked)]
        return ranking.score(cat, c.answers, c.weights).order

    return timed(calls, work)


def full_analysis(cat: Catalogue, sets: Sequence[Draw], calls: int) -> list[float]:
    """engine.score: validation, ranking, robustness, what-if, hybrids, tiers."""

    def work(i: int) -> object:
        d = sets[i % len(sets)]
        return engine.score(cat, d.answers, d.weights, d.population)

    return timed(calls, work)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def row(measure: str, times: Sequence[float], target: float | None) -> Row:
    median = statistics.median(times)
    return Row(
        area="engine",
        measure=measure,
        value=f"{median:,.1f} µs",
        detail=f"median of {len(times):,}; p90 {percentile(times, 0.9):,.1f} µs",
        ratio=f"{median / target:.2f}× target" if target else "",
        target=f"< {target:g} µs" if target else "",
        met=median < target if target else None,
    )


def run(calls: int) -> list[Row]:
    cat = catalogue()
    sets = draws(cat, DISTINCT)
    tiered = sum(1 for d in sets if d.population) / len(sets)
    print(f"engine: {calls:,} calls each over {len(sets)} answer sets ({tiered:.0%} with tiers)")
    plain = plain_ranking(cat, sets, calls)
    print(f"  plain ranking: median {statistics.median(plain):,.1f} µs")
    full = full_analysis(cat, sets, calls)
    print(f"  full analysis: median {statistics.median(full):,.1f} µs")
    return [
        row("plain ranking (scores and order)", plain, PLAIN_TARGET_US),
        row("full analysis (engine.score)", full, FULL_TARGET_US),
    ]
