"""One answer set scored and ranked: the score formula and the one order of models.

A model's score is ``50 + 25 · Σ(w · fit) / Σw − red-flag penalties``, clamped to 0–100
and rounded to DIGITS decimals; the sum runs over every weighted question, answered or
not, so an unanswered question counts as neutral. Models are ordered by `rank_key`.
Everything that asks "who would come first if…" (robustness, what-if, tiers, group
views) scores through this module and orders through `rank_key`, so no analysis can
disagree with the ranking about who is first, down to the last bit of a tie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.compiled import FitTable, fit_table
from cm_advisor.engine.results import AnswerValue
from cm_advisor.engine.types import Catalogue

NEUTRAL = 50.0
MAX_FIT = 2
DIGITS = 9
"""Scores are rounded to this many decimals before they are compared, so two models that
tie in exact arithmetic also tie in floating point, whatever order the sums ran in."""

Floats = NDArray[np.float64]
Key = TypeVar("Key", float, Floats)


def rank_key(score: Key, red_flags: Key, tie_place: Key) -> tuple[Key, Key, Key]:
    """How models are ordered, smallest key first: the higher score, then fewer red flags,
    then the less resource-intensive model (its place in the catalogue's `tie_break`).

    The one definition of the order. It takes numbers, for the ranking, or arrays, for
    the analyses that rank thousands of variants at once (see `first_by`)."""
    return (-score, red_flags, tie_place)


def first_by(keys: Sequence[NDArray[np.float64]]) -> NDArray[np.intp]:
    """The position, along the first axis, whose keys are smallest, compared in order:
    `rank_key` applied to arrays of models × variants (or samples) gives the model each
    variant puts first. The first key has the full shape; later ones may broadcast to it
    (a key per model, the same for every variant). Models run along the first axis
    because NumPy reduces a short first axis many times faster than a short last one.

    Each key narrows the candidates to those that are smallest on it; most columns are
    decided by the first key alone, so the later keys are applied only to the columns
    still tied."""
    first = keys[0]
    best = first == first.min(axis=0)
    tied = np.flatnonzero(best.sum(axis=0) > 1)  # columns the first key left open
    if tied.size:
        open_ = best[:, tied]
        for key in keys[1:]:
            column = key if key.shape[-1] == 1 else key[:, tied]
            masked = np.where(open_, column, np.inf)
            open_ &= masked == masked.min(axis=0)
        best[:, tied] = open_
    winners: NDArray[np.intp] = best.argmax(axis=0)
    return winners


def scores_of(fits: Floats, weights: Floats, penalty: Floats) -> Floats:
    """Every model's score: the formula every ranking uses.

    `fits` is questions × models (0 where unanswered) and `penalty` per model (or models
    × variants); `weights` is per question, or questions × samples for many weightings
    at once, and the scores are then models × samples. With every weight 0, scores are
    50 less penalties."""
    totals = weights.sum(axis=0)
    scale = np.divide(NEUTRAL / MAX_FIT, totals, out=np.zeros_like(totals), where=totals > 0)
    raw = fits.T @ weights
    if weights.ndim > penalty.ndim:
        penalty = penalty[:, np.newaxis]
    scores: Floats = np.clip(NEUTRAL + scale * raw - penalty, 0.0, 100.0).round(DIGITS)
    return scores


@dataclass(frozen=True, slots=True, eq=False)
class Scored:
    """One answer set scored: its fits and weights as arrays, penalties and the ranking."""

    table: FitTable
    answers: Mapping[str, AnswerValue]
    weights: Mapping[str, float]
    fits: Floats  # questions × models, 0 where unanswered
    choices: NDArray[np.intp]  # per question: the chosen option's index, -1 if none or several
    w: Floats  # weight per question, in questionnaire order
    penalty: Floats  # red-flag points per model
    red_flags: Floats  # red flags raised per model
    raised: tuple[int, ...]  # indices of the catalogue's red flags that apply
    scores: Floats  # per model, rounded to DIGITS
    order: tuple[int, ...]  # model indices, first place first

    @property
    def scale(self) -> float:
        """Points one unit of weight × fit is worth: 25 / Σw."""
        total = float(self.w.sum())
        return (NEUTRAL / MAX_FIT) / total if total > 0 else 0.0

    @property
    def winner(self) -> str:
        return self.table.models[self.order[0]]

    @property
    def lead(self) -> float:
        """Points between the first and the second model (100 with a single model)."""
        if len(self.order) < 2:
            return 100.0
        return float(self.scores[self.order[0]] - self.scores[self.order[1]])

    def with_answers(self, changes: Mapping[str, AnswerValue]) -> Scored:
        """The same weights with some (checked) answers changed."""
        table = self.table
        answers = {**self.answers, **changes}
        fits, choices = self.fits.copy(), self.choices.copy()
        for qid, answer in changes.items():
            fits[table.index[qid]] = table.row(qid, answer)
            choices[table.index[qid]] = table.choice(qid, answer)
        penalty, red_flags, raised = table.penalties(answers)
        return _ranked(
            table, answers, self.weights, fits, choices, self.w, penalty, red_flags, raised
        )

    def with_weight(self, question: str, value: float) -> Scored:
        """The same answers with one question's weight changed."""
        w = self.w.copy()
        w[self.table.index[question]] = value
        weights = {**self.weights, question: value}
        return _ranked(
            self.table,
            self.answers,
            weights,
            self.fits,
            self.choices,
            w,
            self.penalty,
            self.red_flags,
            self.raised,
        )


def score_answers(
    table: FitTable, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
) -> Scored:
    """Score and rank checked answers and weights (see answers.check_input)."""
    fits = np.zeros((len(table.questions), len(table.models)))
    choices = np.full(len(table.questions), -1, dtype=np.intp)
    for q, qid in enumerate(table.questions):
        answer = answers.get(qid)
        if answer is not None:
            fits[q] = table.row(qid, answer)
            choices[q] = table.choice(qid, answer)
    w = np.array([weights[qid] for qid in table.questions], dtype=np.float64)
    penalty, red_flags, raised = table.penalties(answers)
    return _ranked(table, answers, weights, fits, choices, w, penalty, red_flags, raised)


def _ranked(
    table: FitTable,
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float],
    fits: Floats,
    choices: NDArray[np.intp],
    w: Floats,
    penalty: Floats,
    red_flags: Floats,
    raised: tuple[int, ...],
) -> Scored:
    scores = scores_of(fits, w, penalty)
    return Scored(
        table=table,
        answers=answers,
        weights=weights,
        fits=fits,
        choices=choices,
        w=w,
        penalty=penalty,
        red_flags=red_flags,
        raised=raised,
        scores=scores,
        order=ranked(scores.tolist(), red_flags.tolist(), table.tie_places.tolist()),
    )


def ranked(
    scores: Sequence[float], red_flags: Sequence[float], tie_places: Sequence[float]
) -> tuple[int, ...]:
    """Model indices in `rank_key` order."""
    return tuple(
        sorted(range(len(scores)), key=lambda m: rank_key(scores[m], red_flags[m], tie_places[m]))
    )


def score(
    catalogue: Catalogue, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
) -> Scored:
    """Score checked answers with a catalogue's rules (compiled once per catalogue)."""
    return score_answers(fit_table(catalogue), answers, weights)
