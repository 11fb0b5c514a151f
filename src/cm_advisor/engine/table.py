"""The catalogue's fit rules as numbers, and one answer set scored with them.

Explanations (contributions, reasons) come from scoring.py; ranking, robustness,
what-if and tiers all score through `Frame`, so they can never disagree about
who ranks first, down to the last bit of a tie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.types import AnswerValue, Catalogue, Condition

NEUTRAL = 50.0
MAX_FIT = 2
DIGITS = 9
"""Scores are rounded to this many decimals before ranking, so two models that tie in
exact arithmetic tie in floating point too, whatever order the sums ran in, and the
tie-break (fewer red flags, then model id) decides as documented. Rounding is
rint(x · 10⁹) / 10⁹ here and in NumPy alike."""
UNITS = 10.0**DIGITS

Test = tuple[tuple[str, frozenset[str]], ...]
"""One alternative of a condition, compiled: every (question, allowed options) must hold."""


@dataclass(frozen=True, slots=True)
class Flag:
    model: int
    when: tuple[Condition, ...]
    penalty: float
    tests: tuple[Test, ...]


@dataclass(frozen=True, slots=True)
class FitTable:
    models: tuple[str, ...]
    questions: tuple[str, ...]
    fits: dict[str, dict[str, tuple[int, ...]]]  # question -> option -> fit per model
    whys: dict[str, dict[str, tuple[str, ...]]]  # ... -> the reason per model
    flags: tuple[Flag, ...]
    hybrids: tuple[tuple[Test, ...], ...]  # each catalogue hybrid's condition, compiled
    priority: tuple[float, ...]
    index: dict[str, int]  # question id -> row

    @classmethod
    def build(cls, catalogue: Catalogue) -> FitTable:
        models = catalogue.model_ids
        questions = tuple(q.id for q in catalogue.questionnaire.questions)
        return cls(
            models=models,
            questions=questions,
            fits={
                qid: {
                    option: tuple(by_model[m].fit for m in models)
                    for option, by_model in by_option.items()
                }
                for qid, by_option in catalogue.rules.items()
            },
            whys={
                qid: {
                    option: tuple(by_model[m].why for m in models)
                    for option, by_model in by_option.items()
                }
                for qid, by_option in catalogue.rules.items()
            },
            hybrids=tuple(compile_conditions(h.when) for h in catalogue.hybrids),
            flags=tuple(
                Flag(models.index(f.model), f.when, f.penalty, compile_conditions(f.when))
                for f in catalogue.red_flags
            ),
            priority=catalogue.outcome_priority,
            index={qid: i for i, qid in enumerate(questions)},
        )

    def shares(self, count: int) -> list[float]:
        """Split a multi-choice question's weight over its chosen options by priority order."""
        raw = [self.priority[min(i, len(self.priority) - 1)] for i in range(count)]
        total = sum(raw)
        return [r / total for r in raw]

    def row(self, qid: str, answer: AnswerValue) -> Sequence[float]:
        """Each model's fit for one answer (a priority-weighted mix for multi-choice)."""
        if isinstance(answer, str):
            return self.fits[qid][answer]
        row = [0.0] * len(self.models)
        for option, share in zip(answer, self.shares(len(answer)), strict=True):
            for i, fit in enumerate(self.fits[qid][option]):
                row[i] += share * fit
        return row

    def penalties(self, answers: Mapping[str, AnswerValue]) -> tuple[list[float], list[int]]:
        """Red-flag points and the number of red flags, per model."""
        points = [0.0] * len(self.models)
        counts = [0] * len(self.models)
        for flag in self.flags:
            if passes(flag.tests, answers):
                points[flag.model] += flag.penalty
                counts[flag.model] += 1
        return points, counts

    def frame(self, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]) -> Frame:
        """One answer set as arrays, scored and ranked."""
        zero = (0,) * len(self.models)
        fits = np.array([self.row(q, answers[q]) if q in answers else zero for q in self.questions])
        w = np.array([weights[q] for q in self.questions])
        penalty, flags = self.penalties(answers)
        return Frame.build(self, answers, weights, fits, w, penalty, tuple(flags))

    def scores(
        self, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
    ) -> tuple[list[float], list[int]]:
        """Every model's 0–100 score (unrounded) and its number of red flags."""
        frame = self.frame(answers, weights)
        return list(frame.scores), list(frame.flags)

    def order(self, scores: Sequence[float], flags: Sequence[int]) -> list[int]:
        """Model indices, best first: higher score, then fewer red flags, then model id."""
        return sorted(range(len(self.models)), key=lambda i: (-scores[i], flags[i], self.models[i]))


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One answer set as arrays: fits (questions × models), weights, red-flag penalties.

    The score is ``50 + 25 · (w @ fits) / Σw − penalty``, clamped to 0–100 and
    rounded to DIGITS decimals. Every "who would win if…" check goes through the
    same `_rank` on changed arrays, so it computes the very same floating-point
    sums as the ranking it is compared with.
    """

    table: FitTable
    answers: Mapping[str, AnswerValue]
    weights: Mapping[str, float]
    fits: NDArray[np.float64]
    w: NDArray[np.float64]
    penalty: NDArray[np.float64]
    flags: tuple[int, ...]
    raw: NDArray[np.float64]  # w @ fits: Σ weight × fit per model
    scale: float  # points per unit of raw
    scores: tuple[float, ...]
    order: tuple[int, ...]

    @classmethod
    def build(
        cls,
        table: FitTable,
        answers: Mapping[str, AnswerValue],
        weights: Mapping[str, float],
        fits: NDArray[np.float64],
        w: NDArray[np.float64],
        penalty: list[float],
        flags: tuple[int, ...],
    ) -> Frame:
        raw, scale, scores, order = _rank(table, fits, w, penalty, flags)
        return cls(
            table, answers, weights, fits, w, np.array(penalty), flags, raw, scale, scores, order
        )

    @property
    def winner(self) -> str:
        return self.table.models[self.order[0]]

    @property
    def lead(self) -> float:
        """Points between the first and the second model."""
        first, second = self.order[0], self.order[min(1, len(self.order) - 1)]
        return self.scores[first] - self.scores[second]

    def winner_with_weight(self, qid: str, value: float) -> str:
        """Who would rank first if one question's importance changed."""
        w = self.w.copy()
        w[self.table.index[qid]] = value
        order = _rank(self.table, self.fits, w, self.penalty.tolist(), self.flags)[3]
        return self.table.models[order[0]]

    def winner_with_answers(self, changes: Mapping[str, AnswerValue]) -> str:
        """Who would rank first if some answers changed."""
        table = self.table
        fits = self.fits.copy()
        for qid, answer in changes.items():
            fits[table.index[qid]] = table.row(qid, answer)
        penalty, flags = table.penalties({**self.answers, **changes})
        return table.models[_rank(table, fits, self.w, penalty, tuple(flags))[3][0]]


def _rank(
    table: FitTable,
    fits: NDArray[np.float64],
    w: NDArray[np.float64],
    penalty: list[float],
    flags: tuple[int, ...],
) -> tuple[NDArray[np.float64], float, tuple[float, ...], tuple[int, ...]]:
    """Raw points, scale, scores and order: the one computation every ranking goes through."""
    raw = w @ fits
    total = float(w.sum())
    scale = NEUTRAL / (MAX_FIT * total) if total > 0 else 0.0
    scores = tuple(
        round(min(100.0, max(0.0, NEUTRAL + scale * r - p)) * UNITS) / UNITS
        for r, p in zip(raw.tolist(), penalty, strict=True)
    )
    return raw, scale, scores, tuple(table.order(scores, flags))


def compile_conditions(conditions: Sequence[Condition]) -> tuple[Test, ...]:
    return tuple(
        tuple((qid, frozenset(options)) for qid, options in cond.items()) for cond in conditions
    )


def passes(tests: Sequence[Test], answers: Mapping[str, AnswerValue]) -> bool:
    """True when any alternative has every one of its questions answered with a listed option."""
    for test in tests:
        for qid, allowed in test:
            answer = answers.get(qid)
            if answer is None:
                break
            if isinstance(answer, str):
                if answer not in allowed:
                    break
            elif allowed.isdisjoint(answer):
                break
        else:
            return True
    return False
