"""A day at the clinic: N simulated staff against one worker, each opening the home page,
filling the questionnaire, submitting it and reading their result, with seconds of think
time between pages; p50 and p99 per page, and the N at which a page's p99 passes 100 ms.

`python -m bench.staff` steps N up (250, 500, 1,000, …) until a page's p99 passes the
limit; `--staff 1000` runs one N. Each simulated person keeps one keep-alive connection
(reopened when the server has closed it, as a browser does after uvicorn's 5 s idle
timeout), sends what Chromium sends (Accept-Encoding with br), fetches the stylesheet and
scripts once and then has them cached (they are immutable), and follows the 303 to its
result with the flash cookie, as a browser does. The load generator is one asyncio
process on this machine, sharing its cores with the server; every loop is bounded in
time and ends by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import re
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import brotli

from bench.answers import catalogue, draws
from bench.server import APP, HOST, serving
from cm_advisor.engine import Population
from cm_advisor.web import forms

LIMIT_MS = 100.0
STEPS = (500, 1000, 2000, 3000, 4000, 5000, 6000, 8000)
THINK_S = (3.0, 8.0)  # between opening a page and the next click
FILL_S = (10.0, 30.0)  # answering the questionnaire
READ_S = (5.0, 15.0)  # reading the result before the next assessment
RAMP_S = 20.0  # people arrive spread over this long
WARMUP_S = 30.0  # not counted: arrivals and first fetches of static files
ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"
ENCODINGS = "gzip, deflate, br, zstd"
ASSET = re.compile(rb'(?:href|src)="(/static/[^"]+)"')
STATIC = "static file (first visit)"
PAGES = ("GET /", "GET /assess", "POST /assess (303)", "GET /r/{token}", STATIC)


@dataclass
class Tally:
    """Latencies per page (ms), counted only inside the measured window."""

    started: float
    warmup: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, page: str, began: float, status_ok: bool) -> None:
        now = time.perf_counter()
        if now - self.started < self.warmup and page != STATIC:
            return  # static files are fetched once, on arrival: all of them count
        if not status_ok:
            self.errors[page] += 1
        self.latencies[page].append((now - began) * 1000)


class Connection:
    """One browser's keep-alive HTTP/1.1 connection: the least a client can do, so that
    thousands of them cost the load generator less than the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}

    async def request(
        self, method: str, path: str, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        """Send and read one request. A kept-alive connection the server has just closed
        (its idle timeout) fails before any answer: like a browser, open a new one and
        send again."""
        reused = self.reader is not None and not self.reader.at_eof()
        if not reused:
            await self.open()
        try:
            return await self.exchange(method, path, body)
        except (asyncio.IncompleteReadError, ConnectionError):
            if not reused:
                raise
            await self.open()
            return await self.exchange(method, path, body)

    async def open(self) -> None:
        await self.close()
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def exchange(
        self, method: str, path: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None and self.writer is not None
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {HOST}:{self.port}",
            f"Accept: {ACCEPT}",
            f"Accept-Encoding: {ENCODINGS}",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "set-cookie":
                cookie, _, attributes = value.strip().partition(";")
                key, _, val = cookie.partition("=")
                if "max-age=0" in attributes.lower() or not val.strip('"'):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = val
            headers[name] = value.strip()
        length = int(headers.get("content-length", "0"))
        payload = await self.reader.readexactly(length) if length else b""
        if headers.get("connection", "").lower() == "close":
            await self.close()
        coding = headers.get("content-encoding", "")
        if coding == "br":
            payload = brotli.decompress(payload)
        elif coding == "gzip":
            payload = gzip.decompress(payload)
        return status, headers, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


async def person(
    port: int, tally: Tally, forms_sent: Sequence[bytes], deadline: float, rng: random.Random
) -> None:
    """One member of staff, assessment after assessment until the deadline."""
    await asyncio.sleep(rng.uniform(0, RAMP_S))
    browser = Connection(port)
    cached: set[bytes] = set()

    async def page(
        name: str, method: str, path: str, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        began = time.perf_counter()
        status, headers, payload = await browser.request(method, path, body)
        tally.add(name, began, status < 400)
        return status, headers, payload

    async def assets(html: bytes) -> None:
        """What the page links that this browser has not cached yet (one at a time)."""
        for asset in ASSET.findall(html):
            if asset not in cached:
                cached.add(asset)
                await page(STATIC, "GET", asset.decode())

    async def think(span: tuple[float, float]) -> None:
        await asyncio.sleep(rng.uniform(*span))

    try:
        while time.perf_counter() < deadline:
            _, _, html = await page("GET /", "GET", "/")
            await assets(html)
            await think(THINK_S)
            _, _, html = await page("GET /assess", "GET", "/assess")
            await assets(html)
            await think(FILL_S)
            status, headers, _ = await page(
                "POST /assess (303)", "POST", "/assess", rng.choice(forms_sent)
            )
            if status == 303:
                _, _, html = await page("GET /r/{token}", "GET", headers["location"])
                await assets(html)
            await think(READ_S)
    except (OSError, asyncio.IncompleteReadError) as exc:
        tally.errors[f"connection: {type(exc).__name__}"] += 1
    finally:
        await browser.close()


def form_bodies(count: int) -> list[bytes]:
    """Filled-in questionnaires (with priorities and populations), as a browser posts them."""
    cat = catalogue()
    bodies = []
    for d in draws(cat, count):
        population = None
        if d.population:
            population = Population(**d.population)
        fields = forms.to_fields(cat, d.answers, d.weights, population)
        if population is not None:
            # As a person does: give the number and let the form pick its size band (a
            # drawn band that disagrees with the drawn number is refused, rightly).
            fields.pop("population_size", None)
        bodies.append(urlencode(fields | {"label": "Community team"}).encode())
    return bodies


@dataclass(frozen=True, slots=True)
class Step:
    staff: int
    seconds: float
    counts: dict[str, int]
    p50: dict[str, float]
    p99: dict[str, float]
    errors: dict[str, int]

    @property
    def worst_p99(self) -> float:
        return max(self.p99.values(), default=0.0)

    @property
    def rate(self) -> float:
        return sum(self.counts.values()) / self.seconds


def percentile(values: Sequence[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


async def drive(port: int, staff: int, seconds: float, seed: int) -> Step:
    rng = random.Random(seed)
    bodies = form_bodies(200)
    started = time.perf_counter()
    tally = Tally(started, WARMUP_S)
    deadline = started + WARMUP_S + seconds
    people = [
        person(port, tally, bodies, deadline, random.Random(rng.random())) for _ in range(staff)
    ]
    # Bounded: every person stops at the deadline, and nobody waits past a generous margin.
    await asyncio.wait_for(asyncio.gather(*people), timeout=WARMUP_S + seconds + 120)
    measured = time.perf_counter() - started - WARMUP_S
    return Step(
        staff=staff,
        seconds=measured,
        counts={p: len(v) for p, v in tally.latencies.items()},
        p50={p: statistics.median(v) for p, v in tally.latencies.items() if v},
        p99={p: percentile(v, 0.99) for p, v in tally.latencies.items() if v},
        errors=dict(tally.errors),
    )


def table(steps: Sequence[Step]) -> str:
    head = ["staff", "req/s", *(f"{p} p50 / p99 ms" for p in PAGES), "errors"]
    rows = [head]
    for s in steps:
        cells = [f"{s.staff:,}", f"{s.rate:,.0f}"]
        for p in PAGES:
            cells.append(f"{s.p50.get(p, 0):.1f} / {s.p99.get(p, 0):.1f}" if p in s.p99 else "–")
        cells.append(str(sum(s.errors.values())))
        rows.append(cells)
    return "\n".join("| " + " | ".join(r) + " |" for r in [rows[0], ["---"] * len(head), *rows[1:]])


def raise_file_limit() -> None:
    """Each person holds a socket, and the server one per person: lift the soft limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.staff", description=__doc__)
    parser.add_argument("--staff", type=int, help="one number of staff instead of the steps")
    parser.add_argument("--seconds", type=float, default=90.0, help="measured seconds per step")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    raise_file_limit()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    steps: list[Step] = []
    for n in [args.staff] if args.staff else STEPS:
        with serving(APP, workers=1) as server:  # a fresh server and database per step
            step = asyncio.run(drive(server.port, n, args.seconds, args.seed))
        steps.append(step)
        worst = f"worst p99 {step.worst_p99:.1f} ms"
        print(f"{n:>6,} staff: {step.rate:,.0f} req/s, {worst}, errors {step.errors}", flush=True)
        if step.worst_p99 > LIMIT_MS:
            break
    print()
    print(table(steps))
    passed = [s.staff for s in steps if s.worst_p99 > LIMIT_MS]
    held = [s.staff for s in steps if s.worst_p99 <= LIMIT_MS and not s.errors]
    print()
    print(f"largest N with every page's p99 under {LIMIT_MS:.0f} ms: {max(held, default=0):,}")
    if passed:
        print(f"p99 passes {LIMIT_MS:.0f} ms at N = {passed[0]:,} (between the last two steps)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
