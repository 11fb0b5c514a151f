"""Words the engine and the pages share: priority levels and signed points."""

from __future__ import annotations

WEIGHT_LEVELS: tuple[tuple[float, str], ...] = (
    (0.0, "not important"),
    (0.5, "minor"),
    (1.0, "normal"),
    (1.5, "above normal"),
    (2.0, "important"),
    (3.0, "critical"),
)
"""The priority levels the questionnaire offers, from 0 (left out) to 3 (counts three times)."""
WEIGHT_HELP = "a number from 0 (not important) to 3 (critical); 1 is normal"


def weight_words(value: float) -> str:
    """A priority in words, with its number: "important (2)"; just the number off the scale."""
    words = dict(WEIGHT_LEVELS).get(value)
    return f"{words} ({value:g})" if words else f"{value:g}"


def signed(points: float) -> str:
    """Signed points with a true minus sign; zero is just 0.0."""
    shown = f"{abs(points):.1f}"
    if shown == "0.0":
        return shown
    return f"+{shown}" if points > 0 else f"\u2212{shown}"
