"""The catalogue's fit rules as plain numbers, for scoring many answer sets quickly.

Explanations (contributions, reasons) come from scoring.py; ranking, robustness and
what-if all use this table, so they can never disagree about who ranks first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cm_advisor.engine.types import AnswerValue, Catalogue, Condition

NEUTRAL = 50.0
MAX_FIT = 2


@dataclass(frozen=True, slots=True)
class Flag:
    model: int
    when: tuple[Condition, ...]
    penalty: float


@dataclass(frozen=True, slots=True)
class FitTable:
    models: tuple[str, ...]
    questions: tuple[str, ...]
    fits: dict[str, dict[str, tuple[int, ...]]]
    flags: tuple[Flag, ...]
    priority: tuple[float, ...]

    @classmethod
    def build(cls, catalogue: Catalogue) -> FitTable:
        models = catalogue.model_ids
        return cls(
            models=models,
            questions=tuple(q.id for q in catalogue.questionnaire.questions),
            fits={
                qid: {
                    option: tuple(by_model[m].fit for m in models)
                    for option, by_model in by_option.items()
                }
                for qid, by_option in catalogue.rules.items()
            },
            flags=tuple(
                Flag(models.index(f.model), f.when, f.penalty) for f in catalogue.red_flags
            ),
            priority=catalogue.outcome_priority,
        )

    def shares(self, count: int) -> list[float]:
        """Split a multi-choice question's weight over its chosen options by priority order."""
        raw = [self.priority[min(i, len(self.priority) - 1)] for i in range(count)]
        total = sum(raw)
        return [r / total for r in raw]

    def row(self, qid: str, answer: AnswerValue) -> list[float]:
        """Each model's fit for one answer (a priority-weighted mix for multi-choice)."""
        if isinstance(answer, str):
            return list(self.fits[qid][answer])
        row = [0.0] * len(self.models)
        for option, share in zip(answer, self.shares(len(answer)), strict=True):
            for i, fit in enumerate(self.fits[qid][option]):
                row[i] += share * fit
        return row

    def penalties(self, answers: Mapping[str, AnswerValue]) -> tuple[list[float], list[int]]:
        points = [0.0] * len(self.models)
        counts = [0] * len(self.models)
        for flag in self.flags:
            if matches(flag.when, answers):
                points[flag.model] += flag.penalty
                counts[flag.model] += 1
        return points, counts

    def raw(self, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]) -> list[float]:
        """Σ weight × fit per model, before scaling and red flags."""
        raw = [0.0] * len(self.models)
        for qid, answer in answers.items():
            w = weights[qid]
            if w:
                for i, fit in enumerate(self.row(qid, answer)):
                    raw[i] += w * fit
        return raw

    def scores(
        self, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
    ) -> tuple[list[float], list[int]]:
        """Every model's 0–100 score (unrounded) and its number of red flags."""
        total = sum(weights.values())
        scale = NEUTRAL / (MAX_FIT * total) if total > 0 else 0.0
        raw = self.raw(answers, weights)
        penalty, flags = self.penalties(answers)
        return [clamp(NEUTRAL + scale * r - p) for r, p in zip(raw, penalty, strict=True)], flags

    def order(self, scores: Sequence[float], flags: Sequence[int]) -> list[int]:
        """Model indices, best first: higher score, then fewer red flags, then model id."""
        return sorted(range(len(self.models)), key=lambda i: (-scores[i], flags[i], self.models[i]))

    def winner(
        self, answers: Mapping[str, AnswerValue], weights: Mapping[str, float]
    ) -> tuple[str, float]:
        """The first-ranked model and its lead over the runner-up."""
        scores, flags = self.scores(answers, weights)
        ranked = self.order(scores, flags)
        first, second = ranked[0], ranked[min(1, len(ranked) - 1)]
        return self.models[first], scores[first] - scores[second]


def clamp(score: float) -> float:
    return min(100.0, max(0.0, score))


def matches(conditions: Sequence[Condition], answers: Mapping[str, AnswerValue]) -> bool:
    """True when any alternative has every one of its questions answered with a listed option."""
    return any(
        all(_answer_in(answers.get(qid), options) for qid, options in cond.items())
        for cond in conditions
    )


def _answer_in(answer: AnswerValue | None, options: Sequence[str]) -> bool:
    if answer is None:
        return False
    if isinstance(answer, str):
        return answer in options
    return any(a in options for a in answer)
