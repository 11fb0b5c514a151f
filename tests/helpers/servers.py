"""Run the real app in a subprocess on a free loopback port, for process-level tests."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_environment(settings: dict[str, str]) -> dict[str, str]:
    """A subprocess's environment: the inherited one without any CM_ADVISOR_* variable, plus
    these CM_ADVISOR_* settings, which must name the data directory; the rest are defaults."""
    assert "CM_ADVISOR_DATA_DIR" in settings, "a test's app needs its own data directory"
    assert all(name.startswith("CM_ADVISOR_") for name in settings), settings
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CM_ADVISOR_")}
    return inherited | settings


def start_server(
    env: dict[str, str], log: Path | None = None, args: tuple[str, ...] = ()
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `cm-advisor serve` with these CM_ADVISOR_* settings and no others from the
    environment; wait until it answers."""
    port = free_port()
    command = [sys.executable, "-m", "cm_advisor", "serve", "--host", "127.0.0.1"]
    with open(log or os.devnull, "ab") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port), *args],
            env=server_environment(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process, base


@contextmanager
def running_server(
    env: dict[str, str], log: Path | None = None, args: tuple[str, ...] = ()
) -> Iterator[str]:
    """A server for the duration of a with-block."""
    process, base = start_server(env, log, args)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {base} did not start within {timeout}s")
