"""One table for every figure, printed to the terminal and written as Markdown for the README."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).parent / "results.md"
HEADERS = ("area", "measure", "value", "detail", "ratio", "target", "met")


@dataclass(frozen=True, slots=True)
class Row:
    """One figure, its ratio to what it is compared with, and its target (if it has one)."""

    area: str
    measure: str
    value: str
    detail: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None

    def cells(self) -> tuple[str, ...]:
        met = "" if self.met is None else ("met" if self.met else "NOT MET")
        return (self.area, self.measure, self.value, self.detail, self.ratio, self.target, met)


def ratio(value: float, against: float) -> str:
    return f"{value / against:.2f}×" if against else "n/a"


def text_table(rows: Sequence[Row]) -> str:
    grid = [HEADERS, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in grid) for i in range(len(HEADERS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in grid]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: Sequence[Row]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join(
        [line(HEADERS), line(["---"] * len(HEADERS)), *(line(r.cells()) for r in rows)]
    )


def write_markdown(machine: Sequence[str], notes: Sequence[str], rows: Sequence[Row]) -> Path:
    """Overwrite bench/results.md with the machine, the table and how it was run."""
    parts = [
        "# Benchmark results",
        "",
        *(f"- {fact}" for fact in machine),
        "",
        markdown_table(rows),
        "",
        *(f"- {note}" for note in notes),
        "",
    ]
    RESULTS.write_text("\n".join(parts))
    return RESULTS
