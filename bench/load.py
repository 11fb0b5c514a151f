"""Drive loopback traffic for a fixed time: wrk with a Lua script when installed, else a small
asyncio httpx client. Both cycle through pre-built requests and stop by themselves."""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

CONNECTIONS = 32
TIMEOUT_S = 10
JSON_HEADERS = {"content-type": "application/json"}


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Load:
    """What one run produced: completed requests, failures and latency percentiles."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "httpx"


def run(base: str, requests: Sequence[Request], seconds: int) -> Load:
    """Send the requests in turn over CONNECTIONS connections for whole `seconds`."""
    if shutil.which("wrk"):
        return _wrk(base, requests, seconds)
    return asyncio.run(_httpx(base, requests, seconds))


# --- wrk -----------------------------------------------------------------------

LUA = """
local raw = {%(requests)s}
local prepared = {}
local i = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads * 97)
  threads = threads + 1
end

function init(args)
  for k, r in ipairs(raw) do
    local headers = r[4]
    if r[3] then
      headers["Content-Type"] = "application/json"
    end
    prepared[k] = wrk.format(r[1], r[2], headers, r[3])
  end
  i = (offset or 0) %% #prepared
end

function request()
  i = i %% #prepared + 1
  return prepared[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%.0f, "duration_us": %%.0f, "errors": %%.0f,' ..
    ' "p50_us": %%.0f, "p99_us": %%.0f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def _lua_script(requests: Sequence[Request]) -> str:
    items = []
    for r in requests:
        body = _lua_string(r.body.decode()) if r.body is not None else "nil"
        headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in r.headers)
        items.append(f'{{"{r.method}", {_lua_string(r.path)}, {body}, {{{headers}}}}}')
    return LUA % {"requests": ",\n".join(items)}


def _wrk(base: str, requests: Sequence[Request], seconds: int) -> Load:
    with tempfile.TemporaryDirectory(prefix="cm-bench-wrk-") as tmp:
        script = Path(tmp) / "requests.lua"
        script.write_text(_lua_script(requests))
        command = [
            *("wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, seconds)}s"),
            *(f"--timeout={TIMEOUT_S}s", "-s", str(script), base),
        ]
        out = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=True
        ).stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    found = json.loads(line.removeprefix("BENCH_JSON "))
    return Load(
        requests=int(found["requests"]),
        seconds=found["duration_us"] / 1e6,
        errors=int(found["errors"]),
        p50_ms=found["p50_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
    )


# --- httpx fallback ---------------------------------------------------------------


async def _httpx(base: str, requests: Sequence[Request], seconds: int) -> Load:
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    deadline = start + seconds
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)

    async def worker(client: httpx.AsyncClient, offset: int) -> None:
        nonlocal errors
        i = offset
        while time.perf_counter() < deadline:
            r = requests[i % len(requests)]
            i += 1
            began = time.perf_counter()
            try:
                headers = dict(r.headers) | (JSON_HEADERS if r.body else {})
                response = await client.request(r.method, r.path, content=r.body, headers=headers)
                if response.status_code >= 400:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - began)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=TIMEOUT_S) as client:
        await asyncio.gather(*(worker(client, k * 97) for k in range(CONNECTIONS)))
    elapsed = time.perf_counter() - start
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Load(
        requests=len(latencies),
        seconds=elapsed,
        errors=errors,
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
    )
