"""The words for priority levels, defined once in the engine (whose sentences use them too):
the questionnaire's selects, the result's "priorities used" and the form's error message
all read them through here."""

from __future__ import annotations

from cm_advisor.engine.wording import WEIGHT_LEVELS, weight_words

__all__ = ["WEIGHT_LEVELS", "number", "weight_choices", "weight_label"]


def number(value: float) -> str:
    """A weight as people write it: 1, 0.5, 1.5."""
    return f"{value:g}"


def weight_label(value: float) -> str:
    """ "important (2)" for a level, the bare number for any other weight."""
    return weight_words(value)


def weight_choices(default: float) -> list[tuple[str, str]]:
    """(value, text) for a question's priority select, in order; the catalogue's default is
    marked, and offered as "Default (1.5)" when it is not one of the levels."""
    levels = dict(WEIGHT_LEVELS)
    levels.setdefault(default, "")
    choices = []
    for value, words in sorted(levels.items()):
        shown = number(value)
        if not words:
            choices.append((shown, f"Default ({shown})"))
        else:
            mark = " · default" if value == default else ""
            choices.append((shown, f"{words.capitalize()} ({shown}){mark}"))
    return choices


def weight_range() -> str:
    """The levels from lowest to highest, for messages: "not important (0) to critical (3)"."""
    (low, low_words), (high, high_words) = WEIGHT_LEVELS[0], WEIGHT_LEVELS[-1]
    return f"{low_words} ({number(low)}) to {high_words} ({number(high)})"
