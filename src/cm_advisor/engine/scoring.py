"""Weighted additive scoring on a fixed absolute scale, with the reasons behind each score.

Every answered question adds ``50 × weight × fit / (2 × Σ weights)`` points to a
neutral 50; red flags subtract their penalty; the result is clamped to 0–100.
The sum runs over all weighted questions, answered or not, so a missing answer
counts as neutral. A model's score depends only on its own rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import mul, sub

from cm_advisor.engine.table import NEUTRAL, FitTable, Frame
from cm_advisor.engine.types import AnswerValue, Catalogue, Condition, Contribution

__all__ = ["NEUTRAL", "Explanation", "explain", "fit_label"]

FIT_LABELS: tuple[tuple[float, str], ...] = ((70, "strong"), (55, "good"), (40, "partial"))
MAX_REASONS = 3
MAX_CONCERNS = 4
MAX_BEHIND = 2


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why one model scored as it did: every contribution, and the words picked from them."""

    contributions: tuple[Contribution, ...]
    reasons: tuple[str, ...]
    concerns: tuple[str, ...]
    behind_top: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Hit:
    """A red flag that applies: its model, the answer it is shown against, its words."""

    model: int
    key: tuple[str, str]
    penalty: float
    concern: str


def explain(catalogue: Catalogue, frame: Frame) -> list[Explanation]:
    """Per model (in table order), its contributions, reasons, concerns and gap to the winner.

    Each answered option is one entry, in the same order for every model, so the
    points form columns (one per model) that reasons, concerns and the gap to the
    winner read as plain lists of floats.
    """
    table = frame.table
    questions: list[str] = []
    options: list[str] = []
    units: list[float] = []
    fits: list[tuple[int, ...]] = []
    whys: list[tuple[str, ...]] = []
    scale, weights, table_fits, table_whys = frame.scale, frame.weights, table.fits, table.whys
    for qid, answer in frame.answers.items():
        weight = weights[qid]
        if weight == 0:  # "ignore this factor"; its red flags still apply
            continue
        parts = (
            ((answer, 1.0),)
            if isinstance(answer, str)
            else zip(answer, table.shares(len(answer)), strict=True)
        )
        for option, share in parts:
            questions.append(qid)
            options.append(option)
            units.append(scale * weight * share)
            fits.append(table_fits[qid][option])
            whys.append(table_whys[qid][option])
    models = len(table.models)
    if fits:
        columns = [list(map(mul, units, column)) for column in zip(*fits, strict=True)]
        by_model: list[tuple[str, ...]] = list(zip(*whys, strict=True))
    else:
        columns, by_model = [[] for _ in range(models)], [()] * models
    hits = [
        _Hit(
            table.flags[f].model,
            _shown(catalogue.red_flags[f].when[0], frame.answers),
            table.flags[f].penalty,
            catalogue.red_flags[f].concern,
        )
        for f in frame.raised
    ]
    keys = list(zip(questions, options, strict=True))
    index = {key: e for e, key in enumerate(keys)} if hits else {}  # read only with a hit
    entries = _Entries(keys, frame.order[0], hits, index)
    found = []
    for m, (column, own_whys) in enumerate(zip(columns, by_model, strict=True)):
        own_hits = [h for h in hits if h.model == m]
        flags = [Contribution(*h.key, -h.penalty, h.concern, "red_flag") for h in own_hits]
        reasons, concerns = _picked(column, own_whys, [h.concern for h in own_hits])
        found.append(
            Explanation(
                contributions=(*map(Contribution, questions, options, column, own_whys), *flags),
                reasons=reasons,
                concerns=concerns,
                behind_top=_behind(table, entries, columns, own_whys, m),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class _Entries:
    """What every model's gap to the winner is read against."""

    keys: list[tuple[str, str]]  # (question, option) per entry
    top: int  # the winner's model index
    hits: list[_Hit]
    index: dict[tuple[str, str], int]  # key -> entry; filled only when a red flag is raised


def _shown(condition: Condition, answers: Mapping[str, AnswerValue]) -> tuple[str, str]:
    """The question a red flag is shown against (its condition's first) and its answer."""
    first = next(iter(condition))
    answer = answers.get(first)
    if answer is None:
        return first, ""
    return first, answer if isinstance(answer, str) else ", ".join(answer)


def _picked(
    points: list[float], whys: Sequence[str], flags: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Reasons: the strongest positive contributions, largest first. Concerns: every red
    flag, then the most negative contributions while there is room. Equal points keep
    answer order (one stable sort, largest first, serves both)."""
    order = sorted(range(len(points)), key=points.__getitem__, reverse=True)
    reasons = []
    for e in order[:MAX_REASONS]:
        if points[e] <= 0:
            break
        reasons.append(whys[e])
    room = MAX_CONCERNS - len(flags)
    if room > 0:
        start = len(order)
        while start and points[order[start - 1]] < 0:
            start -= 1
        worst = sorted(order[start:], key=points.__getitem__)[:room]
        flags = flags + [whys[e] for e in worst]
    return tuple(reasons), tuple(flags)


def _behind(
    table: FitTable,
    entries: _Entries,
    columns: list[list[float]],
    whys: Sequence[str],
    model: int,
) -> tuple[str, ...]:
    """The answers where a model lost most ground to the winner, in its own rule's words.

    A red flag counts against the answer it is shown with; when that is an answer
    with a fit rule, the two are one entry and the flag's words describe it.
    """
    if model == entries.top:
        return ()
    keys, own_whys = entries.keys, whys
    gaps = list(map(sub, columns[entries.top], columns[model]))
    mine: list[bool] | None = None  # which keys the model has a contribution under
    relevant = [h for h in entries.hits if h.model == entries.top]
    relevant += [h for h in entries.hits if h.model == model]
    if relevant:
        keys, own_whys, index = list(keys), list(whys), dict(entries.index)
        mine = [True] * len(keys)
        for hit in relevant:
            e = index.get(hit.key)
            if e is None:
                e = index[hit.key] = len(keys)
                keys.append(hit.key)
                gaps.append(0.0)
                own_whys.append("")
                mine.append(False)
            if hit.model == model:
                gaps[e] += hit.penalty
                own_whys[e], mine[e] = hit.concern, True
            else:
                gaps[e] -= hit.penalty
    worst: list[str] = []
    for e in sorted(range(len(gaps)), key=gaps.__getitem__, reverse=True):  # ties keep order
        if gaps[e] <= 0.05 or len(worst) == MAX_BEHIND:
            break
        if mine is None or mine[e]:
            worst.append(f"{table.titles[keys[e][0]]}: {own_whys[e]}")
    return tuple(worst)


def fit_label(score: float) -> str:
    return next((label for floor, label in FIT_LABELS if score >= floor), "weak")
