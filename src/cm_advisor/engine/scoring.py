"""Weighted additive scoring on a fixed absolute scale, with the reasons behind each score.

Every answered question adds ``50 × weight × fit / (2 × Σ weights)`` points to a
neutral 50; red flags subtract their penalty; the result is clamped to 0–100.
The sum runs over all weighted questions, answered or not, so a missing answer
counts as neutral. A model's score depends only on its own rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cm_advisor.engine.table import NEUTRAL, Frame, passes
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
    for qid, answer in frame.answers.items():
        weight = frame.weights[qid]
        if weight == 0:  # "ignore this factor"; its red flags still apply
            continue
        if isinstance(answer, str):
            parts: Sequence[tuple[str, float]] = ((answer, 1.0),)
        else:
            parts = tuple(zip(answer, table.shares(len(answer)), strict=True))
        for option, share in parts:
            questions.append(qid)
            options.append(option)
            units.append(frame.scale * weight * share)
            fits.append(table.fits[qid][option])
            whys.append(table.whys[qid][option])
    models = len(table.models)
    columns = [
        [unit * row[m] for unit, row in zip(units, fits, strict=True)] for m in range(models)
    ]
    by_model = list(zip(*whys, strict=True)) if whys else [()] * models
    hits = [
        _Hit(compiled.model, _shown(flag.when[0], frame.answers), flag.penalty, flag.concern)
        for flag, compiled in zip(catalogue.red_flags, table.flags, strict=True)
        if passes(compiled.tests, frame.answers)
    ]
    keys = list(zip(questions, options, strict=True))
    entries = _Entries(keys, frame.order[0], hits, {key: e for e, key in enumerate(keys)})
    found = []
    for m, (column, own_whys) in enumerate(zip(columns, by_model, strict=True)):
        own_hits = [h for h in hits if h.model == m]
        flags = [Contribution(*h.key, -h.penalty, h.concern, "red_flag") for h in own_hits]
        found.append(
            Explanation(
                contributions=(*map(Contribution, questions, options, column, own_whys), *flags),
                reasons=_reasons(column, own_whys),
                concerns=_concerns(column, own_whys, [h.concern for h in own_hits]),
                behind_top=_behind(catalogue, entries, columns, own_whys, m),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class _Entries:
    """What every model's gap to the winner is read against."""

    keys: list[tuple[str, str]]  # (question, option) per entry
    top: int  # the winner's model index
    hits: list[_Hit]
    index: dict[tuple[str, str], int]


def _shown(condition: Condition, answers: Mapping[str, AnswerValue]) -> tuple[str, str]:
    """The question a red flag is shown against (its condition's first) and its answer."""
    first = next(iter(condition))
    answer = answers.get(first)
    if answer is None:
        return first, ""
    return first, answer if isinstance(answer, str) else ", ".join(answer)


def _reasons(points: list[float], whys: Sequence[str]) -> tuple[str, ...]:
    """The strongest positive contributions (largest first, ties in answer order)."""
    positive = [e for e, p in enumerate(points) if p > 0]
    best = sorted(positive, key=points.__getitem__, reverse=True)[:MAX_REASONS]
    return tuple(whys[e] for e in best)


def _concerns(points: list[float], whys: Sequence[str], flags: list[str]) -> tuple[str, ...]:
    """Every red flag, then the most negative contributions while there is room."""
    room = max(0, MAX_CONCERNS - len(flags))
    negative = [e for e, p in enumerate(points) if p < 0]
    worst = sorted(negative, key=points.__getitem__)[:room]
    return tuple(flags + [whys[e] for e in worst])


def _behind(
    catalogue: Catalogue,
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
    gaps = [t - o for t, o in zip(columns[entries.top], columns[model], strict=True)]
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
    lost = [e for e, gap in enumerate(gaps) if gap > 0.05 and (mine is None or mine[e])]
    worst = sorted(lost, key=gaps.__getitem__, reverse=True)[:MAX_BEHIND]  # stable: ties keep order
    return tuple(f"{catalogue.question(keys[e][0]).title}: {own_whys[e]}" for e in worst)


def fit_label(score: float) -> str:
    return next((label for floor, label in FIT_LABELS if score >= floor), "weak")
