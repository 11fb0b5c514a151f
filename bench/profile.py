"""`python -m bench.profile`: where the time goes in the full analysis and in request cycles,
so a proposed change in src/ comes with the hot spots that justify it.

Requests go through fastapi.testclient.TestClient, which runs the app on an event loop in
another thread: the profiler is started in that thread. Routes and dependencies declared with
plain `def` run on worker threads that no profiler here can see, so with --inline (the default
for pages) that work runs on the loop thread instead; the thread hop itself then drops out.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import anyio.to_thread
from fastapi.testclient import TestClient

from bench.answers import SEED, catalogue, draws
from cm_advisor import engine

WHAT = ("engine", "score", "result", "assess", "healthz", "assessments")
SYNC_ROUTES = {"result", "assess", "assessments"}
CALLS = 300
TOP = 25
IDLE = ("select", "poll")  # the event loop waiting for the next request


class Probe:
    """pyinstrument when installed, else cProfile; started and stopped on the calling thread."""

    def __init__(self, use_cprofile: bool) -> None:
        self.pyinstrument: Any = None
        if not use_cprofile:
            try:
                from pyinstrument import Profiler

                self.pyinstrument = Profiler(interval=0.0002, async_mode="disabled")
            except ImportError:
                pass
        self.cprofile = cProfile.Profile() if self.pyinstrument is None else None

    def start(self) -> None:
        if self.pyinstrument is not None:
            self.pyinstrument.start()
        elif self.cprofile is not None:
            self.cprofile.enable()

    def stop(self) -> None:
        if self.pyinstrument is not None:
            self.pyinstrument.stop()
        elif self.cprofile is not None:
            self.cprofile.disable()

    def report(self, title: str) -> None:
        print(f"\n=== {title} ===")
        if self.cprofile is not None:
            out = io.StringIO()
            stats = pstats.Stats(self.cprofile, stream=out).strip_dirs()
            stats.sort_stats("tottime").print_stats(TOP)
            stats.sort_stats("cumulative").print_stats(TOP)
            print(out.getvalue())
            return
        from pyinstrument.renderers import ConsoleRenderer

        session = self.pyinstrument.last_session
        spots = hot_spots(session.root_frame())
        idle = sum(t for place, t in spots if place.split()[0].endswith(IDLE))
        busy = sum(t for _, t in spots) - idle
        print(
            f"wall {session.duration:.2f} s; profiled thread busy {busy:.2f} s, idle {idle:.2f} s"
        )
        print(f"-- hot spots by own time, share of busy time (top {TOP}) --")
        shown = [(p, t) for p, t in spots if not p.split()[0].endswith(IDLE)]
        for place, spent in shown[:TOP]:
            print(f"{spent / busy:6.1%}  {place}")
        print("-- call tree (library frames collapsed; share of wall time) --")
        print(ConsoleRenderer(time="percent_of_total").render(session))


def hot_spots(root: Any) -> list[tuple[str, float]]:
    """Own time per function over the whole pyinstrument tree, largest first."""
    spent: dict[str, float] = {}
    stack = [root] if root else []
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        if frame.is_synthetic:
            continue
        place = f"{frame.function}  {frame.file_path_short}:{frame.line_no}"
        spent[place] = spent.get(place, 0.0) + frame.total_self_time
    return sorted(spent.items(), key=lambda item: -item[1])


def profile_engine(probe: Probe) -> None:
    cat = catalogue()
    sets = draws(cat, CALLS)
    for d in sets[:20]:  # warm caches, as a running server has
        engine.score(cat, d.answers, d.weights, d.population)
    probe.start()
    for d in sets:
        engine.score(cat, d.answers, d.weights, d.population)
    probe.stop()
    probe.report(f"engine.score × {CALLS} drawn answer sets")


@contextmanager
def client() -> Iterator[TestClient]:
    """The app in this process on a temporary SQLite database, lifespan included."""
    with tempfile.TemporaryDirectory(prefix="cm-bench-profile-") as data_dir:
        os.environ["CM_ADVISOR_DATA_DIR"] = data_dir
        os.environ["CM_ADVISOR_RATE_LIMIT"] = ""
        os.environ.pop("CM_ADVISOR_DATABASE_URL", None)
        from cm_advisor.web.app import create_app

        with TestClient(create_app()) as test_client:
            yield test_client


Call = tuple[str, str, Any]


def calls_for(test_client: TestClient, what: str) -> list[Call]:
    sets = draws(catalogue(), CALLS, SEED)
    if what == "score":
        return [("POST", "/api/v1/score", d.body()) for d in sets]
    if what == "assessments":
        return [("POST", "/api/v1/assessments", d.body()) for d in sets]
    if what == "result":
        created = [test_client.post("/api/v1/assessments", json=d.body()) for d in sets[:50]]
        tokens = [r.json()["id"] for r in created]
        return [("GET", f"/r/{tokens[i % len(tokens)]}", None) for i in range(CALLS)]
    return [("GET", "/assess" if what == "assess" else "/healthz", None)] * CALLS


@contextmanager
def inline_threads() -> Iterator[None]:
    """Run `def` routes and dependencies on the loop thread, where the profiler is."""

    async def inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
        return func(*args)

    original = anyio.to_thread.run_sync
    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original


def profile_requests(probe: Probe, test_client: TestClient, what: str, inline: bool) -> None:
    calls = calls_for(test_client, what)
    for method, path, body in calls[:20]:
        test_client.request(method, path, json=body).raise_for_status()
    portal = test_client.portal
    assert portal is not None

    async def start() -> None:
        probe.start()

    async def stop() -> None:
        probe.stop()

    with inline_threads() if inline else nullcontext():
        portal.call(start)
        for method, path, body in calls:
            test_client.request(method, path, json=body)
        portal.call(stop)
    how = "def routes run inline" if inline else "real thread pool"
    probe.report(f"{what}: {len(calls)} request cycles through TestClient ({how})")


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("what", nargs="*", default=["engine", "score"], help=", ".join(WHAT))
    parser.add_argument("--cprofile", action="store_true", help="cProfile, not pyinstrument")
    parser.add_argument(
        "--threads",
        choices=("inline", "pool", "auto"),
        default="auto",
        help="where `def` routes run while profiled (auto: inline for pages and assessments)",
    )
    args = parser.parse_args()
    unknown = set(args.what) - set(WHAT)
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))} (choose from {', '.join(WHAT)})")
    if "engine" in args.what:
        profile_engine(Probe(args.cprofile))
    requests = [w for w in args.what if w != "engine"]
    if requests:
        with client() as test_client:
            for what in requests:
                inline = args.threads == "inline" or (
                    args.threads == "auto" and what in SYNC_ROUTES
                )
                profile_requests(Probe(args.cprofile), test_client, what, inline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
