"""Cold start: process launch to the first 200, for the app and for the hello-world baseline."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.report import Row, ratio
from bench.server import APP, BASELINE, Target, environment, launch, stop, wait_ready

LAUNCHES = 5
TARGET_S = 1.0


def cold_start(target: Target, database_url: str) -> float:
    """Seconds from Popen to the first 200 on the ready path, with a fresh data directory."""
    with tempfile.TemporaryDirectory(prefix="cm-bench-") as data_dir:
        env = environment(database_url, Path(data_dir))
        began = time.perf_counter()
        server = launch(target, 1, env)
        try:
            wait_ready(server, target.ready_path)
            return time.perf_counter() - began
        finally:
            stop(server)


def run(database_url: str) -> list[Row]:
    print(f"cold start: median of {LAUNCHES} launches each")
    base = statistics.median(cold_start(BASELINE, "") for _ in range(LAUNCHES))
    app = statistics.median(cold_start(APP, database_url) for _ in range(LAUNCHES))
    print(f"  baseline {base:.2f} s, app {app:.2f} s")
    return [
        Row(
            "startup",
            "cold start: baseline (launch → first 200 on /)",
            f"{base:.2f} s",
            detail=f"median of {LAUNCHES}",
        ),
        Row(
            "startup",
            "cold start: app (launch → first 200 on /healthz)",
            f"{app:.2f} s",
            detail=f"median of {LAUNCHES}; "
            + ("existing database" if database_url else "fresh data dir (creates SQLite)"),
            ratio=ratio(app, base),
            target=f"< {TARGET_S:g} s",
            met=app < TARGET_S,
        ),
    ]
