"""Requests per second through real uvicorn processes, each beside a hello-world baseline served
the same way in the same run, so the ratio says what the app costs, not what the machine is."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

import httpx

from bench import load
from bench.answers import SEED, catalogue, draws
from bench.load import Load, Request
from bench.report import Row, ratio
from bench.server import APP, BASELINE, Server, serving

DISTINCT_BODIES = 500
SAVED = 50
WARMUP_S = 2
BROWSER = (("Accept-Encoding", "gzip, deflate, br, zstd"),)  # what Chromium sends


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    requests: Sequence[Request]
    expect: int
    target: float | None = None  # least ratio to the baseline, with one worker


def post(path: str, body: object) -> Request:
    return Request("POST", path, json.dumps(body, separators=(",", ":")).encode())


def bodies(
    path: str, seed: int, extra: dict[str, str] | None = None, count: int = DISTINCT_BODIES
) -> list[Request]:
    sets = draws(catalogue(), count, seed)
    return [post(path, d.body() | (extra or {})) for d in sets]


def save_assessments(server: Server, count: int) -> list[str]:
    """Create saved results through the API; their share tokens."""
    tokens = []
    with httpx.Client(base_url=server.base, timeout=30) as client:
        for r in bodies("/api/v1/assessments", SEED + 2, count=count):
            response = client.post(r.path, content=r.body, headers=load.JSON_HEADERS)
            response.raise_for_status()
            tokens.append(response.json()["id"])
    return tokens


def scenarios(tokens: Sequence[str], database_url: str) -> list[Scenario]:
    on_sqlite = not database_url
    return [
        Scenario("GET /healthz (no target)", [Request("GET", "/healthz")], 200),
        Scenario("POST /api/v1/score", bodies("/api/v1/score", SEED), 200, 0.2),
        Scenario("GET /r/{token}", [Request("GET", f"/r/{t}") for t in tokens], 200, 0.5),
        Scenario(
            "GET /r/{token}, Brotli (no target)",
            [Request("GET", f"/r/{t}", headers=BROWSER) for t in tokens],
            200,
        ),
        Scenario("GET /assess", [Request("GET", "/assess")], 200, 0.5),
        Scenario(
            "GET /assess, Brotli (no target)", [Request("GET", "/assess", headers=BROWSER)], 200
        ),
        Scenario(
            f"POST /api/v1/assessments ({'SQLite' if on_sqlite else 'PostgreSQL'})",
            bodies("/api/v1/assessments", SEED + 1, {"label": "bench"}),
            201,
            0.25 if on_sqlite else None,
        ),
    ]


def probe(server: Server, scenario: Scenario) -> None:
    """One request first: a scenario that fails fast would otherwise look very fast."""
    r = scenario.requests[0]
    with httpx.Client(base_url=server.base, timeout=30) as client:
        response = client.request(r.method, r.path, content=r.body, headers=load.JSON_HEADERS)
    if response.status_code != scenario.expect:
        raise RuntimeError(f"{scenario.name}: {response.status_code} {response.text[:300]}")


def measure(server: Server, requests: Sequence[Request], seconds: int) -> Load:
    load.run(server.base, requests, WARMUP_S)
    return load.run(server.base, requests, seconds)


def row(name: str, area: str, found: Load, baseline: Load, target: float | None) -> Row:
    """One scenario beside the baseline; `target` only where one applies (one worker)."""
    share = found.rps / baseline.rps if baseline.rps else 0.0
    errors = f"; {found.errors:,} errors" if found.errors else ""
    return Row(
        area=area,
        measure=name,
        value=f"{found.rps:,.0f} req/s",
        detail=f"p50 {found.p50_ms:.1f} ms, p99 {found.p99_ms:.1f} ms{errors}",
        ratio=ratio(found.rps, baseline.rps),
        target=f"≥ {target:g}× baseline" if target is not None else "",
        met=(share >= target and not found.errors) if target is not None else None,
    )


def baseline(workers: int, seconds: int, nodelay: bool) -> Load:
    with serving(BASELINE, workers, nodelay=nodelay) as server:
        return measure(server, [Request("GET", "/")], seconds)


def run_workers(workers: int, seconds: int, database_url: str, nodelay: bool) -> list[Row]:
    """The baseline before and after the app's scenarios; ratios use the mean of the two."""
    print(f"http, {workers} worker(s), {seconds} s per scenario with {load.tool()}")
    before = baseline(workers, seconds, nodelay)
    print(f"  baseline hello world: {before.rps:,.0f} req/s")
    measured: list[tuple[Scenario, Load]] = []
    with serving(APP, workers, database_url, nodelay) as server:
        tokens = save_assessments(server, SAVED)
        for scenario in scenarios(tokens, database_url):
            probe(server, scenario)
            measured.append((scenario, measure(server, scenario.requests, seconds)))
            print(f"  {scenario.name}: {measured[-1][1].rps:,.0f} req/s")
    after = baseline(workers, seconds, nodelay)
    print(f"  baseline hello world again: {after.rps:,.0f} req/s")
    base = mean(before, after)
    area = f"http {workers}w" + (" nodelay" if nodelay and workers > 1 else "")
    first = row("baseline: hello world GET", area, base, base, None)
    spread = f"; before {before.rps:,.0f}, after {after.rps:,.0f} req/s"
    rows = [replace(first, detail=first.detail + spread)]
    for s, found in measured:
        rows.append(row(s.name, area, found, base, s.target if workers == 1 else None))
    return rows


def mean(first: Load, second: Load) -> Load:
    return Load(
        requests=first.requests + second.requests,
        seconds=first.seconds + second.seconds,
        errors=first.errors + second.errors,
        p50_ms=(first.p50_ms + second.p50_ms) / 2,
        p99_ms=max(first.p99_ms, second.p99_ms),
    )


def run(workers: Sequence[int], seconds: int, database_url: str, nodelay: bool) -> list[Row]:
    return [r for n in workers for r in run_workers(n, seconds, database_url, nodelay)]
