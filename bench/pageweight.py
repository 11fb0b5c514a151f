"""What a clinic phone on a poor signal gets: bytes over the wire on a first and a repeat
view, requests, and the largest contentful paint, per page, in Chromium at 375 × 667 with
150 ms round trips, 1.6 Mbit/s down and the CPU slowed 4× (CDP
Network.emulateNetworkConditions and Emulation.setCPUThrottlingRate).

`python -m bench.pageweight` starts the app (one worker, a fresh SQLite database), saves
one typical result through the API, and loads the home page, the questionnaire, that
result's share link and the model library, each in a fresh browser context (empty cache),
then once more in the same context (the repeat view). Needs Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Browser, CDPSession, Page, sync_playwright

from bench.answers import catalogue, draws
from bench.server import APP, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 375, "height": 667}
NETWORK = {
    "offline": False,
    "latency": 150,  # ms added to each round trip
    "downloadThroughput": 1_600_000 / 8,  # bytes per second
    "uploadThroughput": 750_000 / 8,
}
CPU_SLOWDOWN = 4
FIRST_KB, REPEAT_KB, LCP_MS = 25.0, 8.0, 700.0
LCP_SCRIPT = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    resolve(entries.length ? entries[entries.length - 1].startTime : 0);
  }).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => resolve(0), 3000);
})"""


@dataclass(frozen=True, slots=True)
class View:
    transferred: int  # bytes on the wire: headers and (compressed) bodies
    requests: int  # answered over the network, not from the browser's cache
    lcp_ms: float


@dataclass(frozen=True, slots=True)
class Figures:
    page: str
    first: View
    repeat: View

    def met(self) -> bool:
        return (
            self.first.transferred / 1024 <= FIRST_KB
            and self.repeat.transferred / 1024 <= REPEAT_KB
            and self.first.lcp_ms < LCP_MS
        )


class Wire:
    """Counts what crosses the (emulated) network during one page view."""

    def __init__(self, cdp: CDPSession) -> None:
        self.bytes = 0
        self.requests = 0
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._cached)
        self._from_cache: set[str] = set()

    def _cached(self, event: dict[str, Any]) -> None:
        self._from_cache.add(event["requestId"])

    def _finished(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self._from_cache:
            return
        self.bytes += int(event.get("encodedDataLength", 0))
        self.requests += int(event.get("encodedDataLength", 0) > 0)

    def reset(self) -> None:
        self.bytes = self.requests = 0
        self._from_cache.clear()


def view(page: Page, wire: Wire, url: str) -> View:
    wire.reset()
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # late requests (the favicon) finish
    lcp = float(page.evaluate(LCP_SCRIPT))
    return View(wire.bytes, wire.requests, lcp)


def measure(browser: Browser, base: str, name: str, path: str) -> Figures:
    context = browser.new_context(viewport=VIEWPORT, base_url=base)  # type: ignore[arg-type]
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    wire = Wire(cdp)
    first = view(page, wire, path)
    page.goto("about:blank")
    repeat = view(page, wire, path)
    context.close()
    return Figures(name, first, repeat)


def median_figures(runs: Sequence[Figures]) -> Figures:
    def med(views: Sequence[View]) -> View:
        return View(
            int(statistics.median(v.transferred for v in views)),
            int(statistics.median(v.requests for v in views)),
            statistics.median(v.lcp_ms for v in views),
        )

    return Figures(runs[0].page, med([r.first for r in runs]), med([r.repeat for r in runs]))


def table(figures: Sequence[Figures]) -> str:
    rows = [
        "| page | first view | repeat view | largest contentful paint (first view) | met |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in figures:
        rows.append(
            f"| {f.page} | {f.first.transferred / 1024:.1f} KB in {f.first.requests} requests "
            f"| {f.repeat.transferred / 1024:.1f} KB in {f.repeat.requests} "
            f"| {f.first.lcp_ms:.0f} ms (repeat {f.repeat.lcp_ms:.0f} ms) "
            f"| {'yes' if f.met() else 'NO'} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pageweight", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per page; medians reported")
    args = parser.parse_args(argv)
    with serving(APP, workers=1) as server:
        # A typical answer set: drawn like the HTTP benchmark's (nine in ten questions
        # answered), with a population in risk tiers, so the page shows staffing too.
        typical = next(d for d in draws(catalogue(), 50) if d.population).body()
        typical["label"] = "Riverside Health — community team"
        saved = httpx.post(f"{server.base}/api/v1/assessments", json=typical, timeout=30)
        saved.raise_for_status()
        pages = {
            "home `/`": "/",
            "questionnaire `/assess`": "/assess",
            "result `/r/{token}`": f"/r/{saved.json()['id']}",
            "models `/models`": "/models",
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            found = []
            for name, path in pages.items():
                runs = [measure(browser, server.base, name, path) for _ in range(args.runs)]
                found.append(median_figures(runs))
                print(f"  {name}: {found[-1]}", flush=True)
            browser.close()
    print()
    print(
        f"Chromium {VIEWPORT['width']}×{VIEWPORT['height']}, {NETWORK['latency']} ms RTT, "
        f"1.6 Mbit/s down, CPU ÷{CPU_SLOWDOWN}; medians of {args.runs} runs; targets: "
        f"≤ {FIRST_KB:g} KB first view, ≤ {REPEAT_KB:g} KB repeat view, LCP < {LCP_MS:g} ms"
    )
    print(table(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
