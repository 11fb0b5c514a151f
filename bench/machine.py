"""What the figures were measured on, so a table is never read without its machine."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return "unknown"


def load_average() -> str:
    """Other work on the machine skews every figure; the 1, 5 and 15 minute load says how much."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def describe() -> list[str]:
    """One line per fact: date, cores, CPU model, Python, load when the run began."""
    return [
        f"date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"cores (nproc): {len(os.sched_getaffinity(0))}",
        f"CPU: {cpu_model()}",
        f"Python: {platform.python_version()} ({platform.python_implementation()})",
        f"load average at start: {load_average()}",
    ]
