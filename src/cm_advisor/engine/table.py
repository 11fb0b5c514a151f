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

Rows = list[Sequence[float] | None]
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
    titles: dict[str, str]  # question id -> its short name for sentences
    id_rank: tuple[int, ...]  # per model: its place in id order, the last tie-break

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
            titles={q.id: q.title for q in catalogue.questionnaire.questions},
            id_rank=tuple(sorted(models).index(m) for m in models),
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

    def penalties(
        self, answers: Mapping[str, AnswerValue]
    ) -> tuple[list[float], list[int], tuple[int, ...]]:
        """Red-flag points and the number of red flags per model, and which flags are raised."""
        points = [0.0] * len(self.models)
        counts = [0] * len(self.models)
        raised = []
        for f, flag in enumerate(self.flags):
            if passes(flag.tests, answers):
                points[flag.model] += flag.penalty
                counts[flag.model] += 1
                raised.append(f)
        return points, counts, tuple(raised)

    def frame(self, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]) -> Frame:
        """One answer set scored and ranked, with its numbers as arrays for the analyses."""
        penalty, flags, raised = self.penalties(answers)
        return Frame.build(
            self,
            answers,
            weights,
            self.rows(answers),
            self.w(weights),
            penalty,
            tuple(flags),
            raised,
        )

    def scores(
        self, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
    ) -> tuple[list[float], list[int]]:
        """Every model's 0–100 score (rounded to DIGITS decimals) and its number of red flags."""
        penalty, flags, _ = self.penalties(answers)
        _, _, scores = self.rank(self.rows(answers), self.w(weights), penalty)
        return list(scores), flags

    def rows(self, answers: Mapping[str, AnswerValue]) -> Rows:
        """Each question's fit row in question order, None when unanswered."""
        return [self.row(q, answers[q]) if q in answers else None for q in self.questions]

    def w(self, weights: Mapping[str, float]) -> list[float]:
        """The weights in question order."""
        return [weights[q] for q in self.questions]

    def rank(
        self, rows: Rows, w: list[float], penalty: list[float]
    ) -> tuple[list[float], float, tuple[float, ...]]:
        """Raw points (Σ weight × fit), points per unit of raw, and scores: the one
        computation every ranking uses.

        Plain Python in question order, so a changed answer set scored for a check
        adds exactly the same numbers in the same order as when it is ranked.
        """
        raw = [0.0] * len(self.models)
        for weight, row in zip(w, rows, strict=True):
            if weight and row is not None:
                for i, fit in enumerate(row):
                    raw[i] += weight * fit
        total = sum(w)
        scale = NEUTRAL / (MAX_FIT * total) if total > 0 else 0.0
        scores = tuple(
            round(min(100.0, max(0.0, NEUTRAL + scale * r - p)) * UNITS) / UNITS
            for r, p in zip(raw, penalty, strict=True)
        )
        return raw, scale, scores

    def order(self, scores: Sequence[float], flags: Sequence[int]) -> list[int]:
        """Model indices, best first: higher score, then fewer red flags, then model id."""
        return sorted(range(len(self.models)), key=lambda i: (-scores[i], flags[i], self.models[i]))

    def first(self, scores: Sequence[float], flags: Sequence[int]) -> int:
        """The model index `order` puts first."""
        return min(range(len(self.models)), key=lambda i: (-scores[i], flags[i], self.models[i]))


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One answer set, ranked, and as arrays: fits (questions × models), weights, penalties.

    The score is ``50 + 25 · Σ(w · fit) / Σw − penalty``, clamped to 0–100 and
    rounded to DIGITS decimals (FitTable.rank). Every "who would win if…" check
    ranks the changed rows the same way, so it adds the very same numbers as the
    ranking it is compared with.
    """

    table: FitTable
    answers: Mapping[str, AnswerValue]
    weights: Mapping[str, float]
    rows: Rows  # per question: each model's fit, None when unanswered
    w_list: list[float]
    penalty_list: list[float]
    flags: tuple[int, ...]  # red flags per model
    raised: tuple[int, ...]  # the catalogue's red flags that apply, by index
    scale: float  # points per unit of raw
    scores: tuple[float, ...]
    order: tuple[int, ...]
    fits: NDArray[np.float64]  # the rows as an array, 0 when unanswered
    w: NDArray[np.float64]
    penalty: NDArray[np.float64]
    raw: list[float]  # Σ weight × fit per model
    start: list[float]  # each model's score before clamping and rounding

    @classmethod
    def build(
        cls,
        table: FitTable,
        answers: Mapping[str, AnswerValue],
        weights: Mapping[str, float],
        rows: Rows,
        w: list[float],
        penalty: list[float],
        flags: tuple[int, ...],
        raised: tuple[int, ...],
    ) -> Frame:
        raw, scale, scores = table.rank(rows, w, penalty)
        zero = (0,) * len(table.models)
        return cls(
            table=table,
            answers=answers,
            weights=weights,
            rows=rows,
            w_list=w,
            penalty_list=penalty,
            flags=flags,
            raised=raised,
            scale=scale,
            scores=scores,
            order=tuple(table.order(scores, flags)),
            fits=np.array([zero if row is None else row for row in rows], dtype=np.float64),
            w=np.array(w),
            penalty=np.array(penalty),
            raw=raw,
            start=[NEUTRAL + scale * r - p for r, p in zip(raw, penalty, strict=True)],
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
        table = self.table
        w = list(self.w_list)
        w[table.index[qid]] = value
        _, _, scores = table.rank(self.rows, w, self.penalty_list)
        return table.models[table.first(scores, self.flags)]

    def winner_with_answers(self, changes: Mapping[str, AnswerValue]) -> str:
        """Who would rank first if some answers changed."""
        table = self.table
        rows = list(self.rows)
        for qid, answer in changes.items():
            rows[table.index[qid]] = table.row(qid, answer)
        penalty, flags, _ = table.penalties({**self.answers, **changes})
        _, _, scores = table.rank(rows, self.w_list, penalty)
        return table.models[table.first(scores, flags)]


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
