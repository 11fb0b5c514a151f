"""Start uvicorn in a subprocess on a free loopback port, read its memory, stop it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
# The event loop and HTTP parser, the same for the app and the baseline: "standard" is
# what uvicorn[standard] picks by itself (as `cm-advisor serve` runs in production);
# "plain" is uvicorn without extras, as measured before uvicorn[standard] was a dependency.
STACKS = {"standard": ("uvloop", "httptools"), "plain": ("asyncio", "h11")}
STACK_VARIABLE = "BENCH_UVICORN"


def stack() -> tuple[str, str]:
    """(loop, http) for every server this run starts; `python -m bench --uvicorn` sets it."""
    return STACKS[os.environ.get(STACK_VARIABLE, "standard")]


@dataclass(frozen=True, slots=True)
class Target:
    """What uvicorn serves and the path that answers 200 once it is ready."""

    name: str
    factory: str
    ready_path: str


BASELINE = Target("baseline", "bench.baseline_app:create_app", "/")
APP = Target("app", "cm_advisor.web.app:create_app", "/healthz")


@dataclass(frozen=True, slots=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int
    workers: int

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory: the process itself, or the sum of its workers when there are several."""
        if self.workers <= 1:
            return vm_rss_kb(self.process.pid) / 1024
        return sum(vm_rss_kb(pid) for pid in worker_pids(self.process.pid)) / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """The app's defaults, a fresh data directory, and no per-address limit on new assessments
    (one load generator is one address: the limit would turn the write benchmark into 429s)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CM_ADVISOR_")}
    env["CM_ADVISOR_DATA_DIR"] = str(data_dir)
    env["CM_ADVISOR_RATE_LIMIT"] = ""
    if database_url:
        env["CM_ADVISOR_DATABASE_URL"] = database_url
    return env


def launch(target: Target, workers: int, env: dict[str, str], nodelay: bool = False) -> Server:
    """uvicorn as deployed; with `nodelay` and several workers, through bench.nodelay instead."""
    port = free_port()
    where = ("--host", HOST, "--port", str(port), "--workers", str(workers))
    if nodelay and workers > 1:
        command = [sys.executable, "-m", "bench.nodelay", target.factory, *where]
    else:
        command = [
            *(sys.executable, "-m", "uvicorn", "--factory", target.factory, *where),
            *("--loop", stack()[0], "--http", stack()[1]),
            *("--no-access-log", "--log-level", "warning"),
        ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    return Server(process, port, workers)


def wait_ready(server: Server, path: str, timeout: float = START_TIMEOUT) -> None:
    """Poll every few milliseconds until `path` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, server.port, timeout=1)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"server on port {server.port} not ready within {timeout:.0f} s")


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


@contextmanager
def serving(
    target: Target, workers: int = 1, database_url: str = "", nodelay: bool = False
) -> Iterator[Server]:
    """A running server with a fresh data directory, stopped afterwards whatever happens."""
    with tempfile.TemporaryDirectory(prefix="cm-bench-") as data_dir:
        env = environment(database_url, Path(data_dir))
        server = launch(target, workers, env, nodelay)
        try:
            wait_ready(server, target.ready_path)
            yield server
        finally:
            stop(server)


def vm_rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pids(parent: int) -> list[int]:
    """uvicorn's worker processes: the parent's children, less multiprocessing's helpers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        if ppid == parent and b"resource_tracker" not in cmdline:
            found.append(int(entry.name))
    return found
