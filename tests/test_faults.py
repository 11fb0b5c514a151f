"""Faults and load against real server processes and real databases: a server killed
mid-burst, two servers under concurrent load, a database that stops, freezes or whose
file goes away, and each reproduction of issue #15 (kept fixed here)."""

import asyncio
import ctypes
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from cm_advisor.web.app import create_app
from helpers.archetypes import ARCHETYPES
from helpers.databases import database, postgres_admin_url
from helpers.servers import (
    free_port,
    running_server,
    server_environment,
    start_server,
    wait_until_up,
)
from helpers.settings import HermeticSettings as Settings

BODIES = [{"answers": a, "label": name} for name, a in ARCHETYPES.items()]
NO_LIMIT = {"CM_ADVISOR_RATE_LIMIT": ""}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


def test_every_acknowledged_assessment_survives_a_sigkill(
    shared_database: str, tmp_path: Path
) -> None:
    env = NO_LIMIT | {
        "CM_ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "CM_ADVISOR_DATABASE_URL": shared_database,
    }
    process, base = start_server(env)
    acknowledged: dict[str, Any] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def burst(worker: int) -> None:
        with httpx.Client(base_url=base, timeout=5) as client:
            for i in range(400):
                if stop.is_set():
                    return
                try:
                    response = client.post("/api/v1/assessments", json=BODIES[(worker + i) % 5])
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged[response.json()["id"]] = response.json()["result"]

    threads = [threading.Thread(target=burst, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)  # mid-burst, no chance to clean up
    process.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) >= 40

    if shared_database.startswith("sqlite"):
        with sqlite3.connect(shared_database.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with running_server(env) as again, httpx.Client(base_url=again) as client:
        for token, result in acknowledged.items():
            response = client.get(f"/api/v1/assessments/{token}")
            assert response.status_code == 200, token
            assert response.json()["result"] == result


def test_two_servers_under_concurrent_creates_and_reads(
    shared_database: str, tmp_path: Path
) -> None:
    env = NO_LIMIT | {
        "CM_ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "CM_ADVISOR_DATABASE_URL": shared_database,
    }
    with running_server(env) as first, running_server(env) as second:
        # A thread of its own: Playwright's session may own this thread's event loop.
        with ThreadPoolExecutor(1) as pool:
            created, retryable, reads = pool.submit(
                lambda: asyncio.run(_load(first, second, creates=240))
            ).result()
    assert len(created) + retryable == 240
    assert len(created) >= 200  # nearly all succeed; the rest got a clear 503 to retry
    assert len(set(created)) == len(created)
    assert reads == len(created)
    from sqlalchemy import create_engine, text

    engine = create_engine(shared_database)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT token FROM assessments")).scalars().all()
    engine.dispose()
    assert sorted(rows) == sorted(created)


async def _load(first: str, second: str, creates: int) -> tuple[list[str], int, int]:
    """Creates alternate between the servers; each is read back from the other one."""
    gate = asyncio.Semaphore(24)
    created: list[str] = []
    retryable = 0
    reads = 0
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(i: int) -> None:
            nonlocal retryable, reads
            writer, reader = (first, second) if i % 2 else (second, first)
            async with gate:
                response = await client.post(
                    f"{writer}/api/v1/assessments", json=BODIES[i % len(BODIES)]
                )
                if response.status_code == 503:
                    assert response.headers.get("retry-after")
                    retryable += 1
                    return
                assert response.status_code == 201, response.text
                token = response.json()["id"]
                created.append(token)
                read = await client.get(f"{reader}/api/v1/assessments/{token}")
                assert read.status_code == 200
                reads += 1

        await asyncio.gather(*(one(i) for i in range(creates)))
    return created, retryable, reads


class OwnPostgres:
    """A PostgreSQL server of one test's own, so it can be stopped and started."""

    def __init__(self) -> None:
        postgres_admin_url()  # skip (or fail under CI) when PostgreSQL is not available
        self.port = free_port()
        script = Path(__file__).parents[1] / "scripts" / "test-postgres.sh"
        done = subprocess.run(
            [str(script)],
            env={**os.environ, "CM_ADVISOR_TEST_POSTGRES_PORT": str(self.port)},
            capture_output=True,
            text=True,
            check=True,
        )
        self.url = done.stdout.strip()
        self.data_dir = done.stderr.strip().rsplit(" ", 1)[-1]

    def signal_all(self, sig: signal.Signals) -> None:
        """Send `sig` to this server's postmaster and every process it started."""
        postmaster = int(Path(self.data_dir, "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        for pid in [postmaster, *map(int, children)]:
            os.kill(pid, sig)

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the server stopped (SIGSTOP): it accepts nothing and answers
        nothing, while the kernel keeps its sockets open. Resumed afterwards."""
        self.signal_all(signal.SIGSTOP)
        try:
            yield
        finally:
            self.signal_all(signal.SIGCONT)

    def stop(self, mode: str = "fast", check: bool = True) -> None:
        self._pg_ctl(f"stop -m {mode}", check)

    def start(self) -> None:
        self._pg_ctl(f"start -o \"-h 127.0.0.1 -p {self.port} -k '{self.data_dir}' -F\"")

    def _pg_ctl(self, args: str, check: bool = True) -> None:
        binary = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
        command = f"'{binary}' -D '{self.data_dir}' -l '{self.data_dir}/server.log' -w {args}"
        runner = ["su", "postgres", "-s", "/bin/sh", "-c"] if os.geteuid() == 0 else ["sh", "-c"]
        subprocess.run([*runner, command], check=check, capture_output=True)


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    yield server
    server.stop("immediate", check=False)
    shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.mark.postgres
def test_a_database_outage_keeps_scoring_and_recovers(
    own_postgres: OwnPostgres, tmp_path: Path
) -> None:
    settings = Settings(database_url=own_postgres.url, data_dir=tmp_path, rate_limit="")
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/v1/assessments", json=BODIES[0]).status_code == 201
        assert client.get("/healthz").json()["database"] == "ok"

        own_postgres.stop()
        assert (
            client.post("/api/v1/score", json={"answers": BODIES[1]["answers"]}).status_code == 200
        )
        down = client.post("/api/v1/assessments", json=BODIES[1])
        assert down.status_code == 503
        assert "database" in down.json()["detail"] and down.headers["retry-after"]
        page = client.post("/assess", data={"acuity": "high"}, follow_redirects=False)
        assert page.status_code == 503 and "cannot reach its database" in page.text
        assert client.get("/healthz").json()["database"] == "unavailable"

        own_postgres.start()  # recovery needs no restart: the breaker's next probe succeeds
        assert eventually(lambda: client.get("/healthz").json()["database"] == "ok")
        assert client.post("/api/v1/assessments", json=BODIES[2]).status_code == 201


@pytest.mark.postgres
def test_the_app_starts_while_the_database_is_down(
    own_postgres: OwnPostgres, tmp_path: Path
) -> None:
    own_postgres.stop()
    settings = Settings(database_url=own_postgres.url, data_dir=tmp_path, rate_limit="")
    with TestClient(create_app(settings)) as client:
        assert (
            client.post("/api/v1/score", json={"answers": BODIES[0]["answers"]}).status_code == 200
        )
        assert client.post("/api/v1/assessments", json=BODIES[0]).status_code == 503
        own_postgres.start()
        assert eventually(lambda: client.get("/healthz").json()["database"] == "ok")
        created = client.post("/api/v1/assessments", json=BODIES[0])
        assert created.status_code == 201
        assert client.get(f"/r/{created.json()['id']}").status_code == 200


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Whether `check` comes true within `seconds` (the fault bound of issue #15)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


# --- a frozen PostgreSQL (issue #15, defect 1) ------------------------------------------

BOUND = 5.0  # seconds: the bound for every answer while the database hangs


def timed(
    client: httpx.Client, method: str, path: str, **kwargs: Any
) -> tuple[httpx.Response, float]:
    began = time.monotonic()
    response = client.request(method, path, **kwargs)
    return response, time.monotonic() - began


@pytest.mark.postgres
def test_a_frozen_database_answers_503_in_time_keeps_scoring_and_recovers(
    own_postgres: OwnPostgres, tmp_path: Path
) -> None:
    env = NO_LIMIT | {
        "CM_ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "CM_ADVISOR_DATABASE_URL": own_postgres.url,
    }
    with running_server(env) as base, httpx.Client(base_url=base, timeout=60) as client:
        created = client.post("/api/v1/assessments", json=BODIES[0]).json()
        token = created["id"]
        assert client.get(f"/r/{token}").status_code == 200

        with own_postgres.frozen():
            # More requests at once than the server has threads: none may wait for another.
            calls = [
                ("GET", "/healthz", {}),
                *[("POST", "/api/v1/assessments", {"json": b}) for b in BODIES],
                *[("GET", f"/api/v1/assessments/{token}", {}) for _ in range(6)],
                *[("GET", f"/r/{token}", {}) for _ in range(4)],
                ("GET", f"/r/{token}.json", {}),
                ("POST", "/assess", {"data": {"acuity": "high"}, "follow_redirects": False}),
                *[("POST", "/api/v1/score", {"json": {"answers": b["answers"]}}) for b in BODIES],
                ("GET", "/healthz", {}),
            ]
            with ThreadPoolExecutor(len(calls)) as pool:
                answers = list(pool.map(lambda c: (c, *timed(client, c[0], c[1], **c[2])), calls))
        for (method, path, _), response, seconds in answers:
            assert seconds < BOUND, (method, path, seconds)
            if path == "/healthz":
                assert response.json()["database"] == "unavailable"
            elif path == "/api/v1/score":
                assert response.status_code == 200
            else:
                assert response.status_code == 503, (method, path, response.status_code)
                assert response.headers["retry-after"]

        assert eventually(lambda: client.get("/healthz").json()["database"] == "ok")
        again = client.post("/api/v1/assessments", json=BODIES[1])
        assert again.status_code == 201
        assert client.get(f"/r/{again.json()['id']}").status_code == 200
        assert client.get(f"/api/v1/assessments/{token}").json()["result"] == created["result"]


# --- NUL bytes in tokens (defect 5) ----------------------------------------------------


def test_a_nul_byte_in_a_token_is_a_404_and_breaks_nothing(
    shared_database: str, tmp_path: Path
) -> None:
    env = NO_LIMIT | {
        "CM_ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "CM_ADVISOR_DATABASE_URL": shared_database,
    }
    with running_server(env) as base, httpx.Client(base_url=base) as client:
        token = client.post("/api/v1/assessments", json=BODIES[0]).json()["id"]
        assert client.get(f"/r/{token}").status_code == 200  # the event-loop connection is open
        for path in ("/r/%00", "/api/v1/assessments/%00", "/resume/%00", "/resume/%00/saved"):
            assert client.get(path).status_code == 404, path
        assert client.get("/compare", params={"a": "\x00", "b": token}).status_code == 404
        assert client.get(f"/r/{token}").status_code == 200
        assert client.get("/healthz").json()["database"] == "ok"


# --- SQLite file faults (defect 4), with the server as a user the permissions bind ------


class Unprivileged:
    """A server process that file permissions apply to. Root writes to read-only files,
    so as root the process gives up the capabilities that let it (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH, dropped from its bounding set before exec)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.data.mkdir()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = root / "server.log"

    @property
    def database(self) -> Path:
        return self.data / "cm-advisor.sqlite3"

    def chmod(self, path: Path, mode: int) -> None:
        path.chmod(mode)

    def start(self, env: dict[str, str] | None = None) -> str:
        port = free_port()
        settings = NO_LIMIT | {"CM_ADVISOR_DATA_DIR": str(self.data)} | (env or {})
        command = [sys.executable, "-m", "cm_advisor", "serve", "--port", str(port)]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                command,
                env=server_environment(settings),
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_without_root_overrides if os.geteuid() == 0 else None,
            )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, self.process)
        return base

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def remove(self) -> None:
        self.stop()
        for path in [self.root, *self.root.rglob("*")]:
            path.chmod(0o755)


def _without_root_overrides() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def unprivileged(tmp_path: Path) -> Iterator[Unprivileged]:
    server = Unprivileged(tmp_path)
    yield server
    server.remove()


def test_a_read_only_data_directory_keeps_scoring_up_and_saving_recovers(
    unprivileged: Unprivileged,
) -> None:
    unprivileged.chmod(unprivileged.data, 0o555)  # no database yet, and none can be made
    base = unprivileged.start()
    with httpx.Client(base_url=base) as client:
        assert client.get("/healthz").json()["database"] == "unavailable"
        assert (
            client.post("/api/v1/score", json={"answers": BODIES[0]["answers"]}).status_code == 200
        )
        refused = client.post("/api/v1/assessments", json=BODIES[0])
        assert refused.status_code == 503 and refused.headers["retry-after"]

        unprivileged.chmod(unprivileged.data, 0o755)
        assert eventually(
            lambda: client.post("/api/v1/assessments", json=BODIES[0]).status_code == 201
        )
        assert client.get("/healthz").json()["database"] == "ok"


def test_a_read_only_database_file_still_serves_reads_and_saving_recovers(
    unprivileged: Unprivileged,
) -> None:
    base = unprivileged.start()
    with httpx.Client(base_url=base) as client:
        created = client.post("/api/v1/assessments", json=BODIES[0]).json()
        token = created["id"]
        unprivileged.chmod(unprivileged.database, 0o444)

        assert client.get("/healthz").json()["database"] == "read-only"
        for path in (f"/r/{token}", f"/api/v1/assessments/{token}", f"/r/{token}.csv"):
            assert client.get(path).status_code == 200, path  # reads write nothing
        refused = client.post("/api/v1/assessments", json=BODIES[1])
        assert refused.status_code == 503 and refused.headers["retry-after"]

        unprivileged.chmod(unprivileged.database, 0o644)  # no restart
        again = client.post("/api/v1/assessments", json=BODIES[1])
        assert again.status_code == 201
        assert client.get("/healthz").json()["database"] == "ok"
        assert client.get(f"/api/v1/assessments/{again.json()['id']}").status_code == 200


def test_no_save_is_acknowledged_into_a_deleted_database(unprivileged: Unprivileged) -> None:
    base = unprivileged.start()
    with httpx.Client(base_url=base) as client:
        before = client.post("/api/v1/assessments", json=BODIES[0]).json()
        shutil.rmtree(unprivileged.data)

        codes = [client.post("/api/v1/assessments", json=b).status_code for b in BODIES * 4]
        assert 201 not in codes and set(codes) == {503}
        assert client.get("/healthz").json()["database"] == "unavailable"
        manage = before["manage_url"].removeprefix(base)
        assert client.get(manage).status_code == 503
        assert client.get(f"/r/{before['id']}").status_code == 503
    log = unprivileged.log.read_text()
    assert "storage unavailable on GET /manage/…" in log
    assert before["id"] not in log and before["manage_key"] not in log


def test_a_database_file_replaced_at_run_time_is_never_written_through_the_old_one(
    unprivileged: Unprivileged,
) -> None:
    base = unprivileged.start()
    with httpx.Client(base_url=base) as client:
        kept = client.post("/api/v1/assessments", json=BODIES[0]).json()["id"]
        copy = unprivileged.data / "copy.sqlite3"
        with sqlite3.connect(unprivileged.database) as live, sqlite3.connect(copy) as target:
            live.backup(target)
        os.replace(copy, unprivileged.database)

        assert client.post("/api/v1/assessments", json=BODIES[1]).status_code == 503
        assert client.get("/healthz").json()["database"] == "unavailable"
    unprivileged.stop()
    with httpx.Client(base_url=unprivileged.start()) as client:  # a restart opens the new file
        assert client.get(f"/api/v1/assessments/{kept}").status_code == 200
        assert client.post("/api/v1/assessments", json=BODIES[1]).status_code == 201
        assert client.get("/healthz").json()["database"] == "ok"
