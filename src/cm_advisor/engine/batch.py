"""Score many variants of one answer set at once with NumPy.

A variant is the answer set with some single-choice answers replaced, written as
one option index per single-choice question. Because the model is additive, a
variant's raw points are a gather and a sum; red flags are table look-ups. What-if
analysis scores hundreds of variants this way in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.table import MAX_FIT, NEUTRAL, matches
from cm_advisor.engine.types import AnswerValue, Catalogue, Condition


@dataclass(frozen=True)
class Literal:
    """One `question in options` test of a red-flag condition, as a mask over option indices."""

    question: int  # index among single-choice questions, or -1 for a multi-choice question
    mask: NDArray[np.bool_]  # allowed option indices (last slot: unanswered, never allowed)
    condition: Condition  # the original, for multi-choice questions


@dataclass(frozen=True)
class Batch:
    """Fit rules and red flags as arrays over the single-choice questions."""

    models: tuple[str, ...]
    questions: tuple[str, ...]  # single-choice only
    options: tuple[tuple[str, ...], ...]
    fits: NDArray[np.float64]  # (questions, widest + 1, models); last slot = unanswered
    flags: tuple[tuple[int, float, tuple[tuple[Literal, ...], ...]], ...]
    ids: NDArray[np.float64]  # model id order, for the tie-break

    @classmethod
    def build(cls, catalogue: Catalogue) -> Batch:
        table = catalogue.table
        singles = [q for q in catalogue.questionnaire.questions if q.kind == "single"]
        widest = max(len(q.option_ids) for q in singles)
        fits = np.zeros((len(singles), widest + 1, len(table.models)))
        for i, q in enumerate(singles):
            for j, option in enumerate(q.option_ids):
                fits[i, j] = table.fits[q.id][option]
        index = {q.id: i for i, q in enumerate(singles)}

        def literal(qid: str, allowed: tuple[str, ...]) -> Literal:
            mask = np.zeros(widest + 1, dtype=bool)
            if qid in index:
                mask[[singles[index[qid]].option_ids.index(o) for o in allowed]] = True
            return Literal(index.get(qid, -1), mask, {qid: allowed})

        return cls(
            models=table.models,
            questions=tuple(q.id for q in singles),
            options=tuple(q.option_ids for q in singles),
            fits=fits,
            flags=tuple(
                (
                    f.model,
                    f.penalty,
                    tuple(tuple(literal(q, o) for q, o in cond.items()) for cond in f.when),
                )
                for f in table.flags
            ),
            ids=np.argsort(np.argsort(np.array(table.models))).astype(np.float64),
        )

    def encode(self, answers: Mapping[str, AnswerValue]) -> NDArray[np.intp]:
        """Option index per single-choice question; the unanswered slot when missing."""
        unanswered = self.fits.shape[1] - 1
        return np.array(
            [
                opts.index(str(answers[q])) if q in answers else unanswered
                for q, opts in zip(self.questions, self.options, strict=True)
            ],
            dtype=np.intp,
        )

    def moves(self, base: NDArray[np.intp], weights: Mapping[str, float]) -> NDArray[np.float64]:
        """Raw points gained per model by moving question i to option j: (q, options, models)."""
        w = np.array([weights[q] for q in self.questions])
        current = self.fits[np.arange(len(self.questions)), base]  # (questions, models)
        moved: NDArray[np.float64] = (self.fits - current[:, None, :]) * w[:, None, None]
        return moved

    def winners(
        self,
        catalogue: Catalogue,
        answers: Mapping[str, AnswerValue],
        weights: Mapping[str, float],
        variants: NDArray[np.intp],
        raw: NDArray[np.float64],
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """For each variant (option indices, and its raw points per model): winner and lead."""
        total = sum(weights.values())
        scale = NEUTRAL / (MAX_FIT * total) if total > 0 else 0.0
        penalty, flags = self._penalties(answers, variants)
        scores = np.clip(NEUTRAL + scale * raw - penalty, 0, 100)
        keyed = scores - flags * 1e-9 - self.ids * 1e-12
        order = np.argsort(-keyed, axis=1)
        best, second = order[:, 0], order[:, 1]
        picked = np.arange(len(variants))
        return best, scores[picked, best] - scores[picked, second]

    def _penalties(
        self, answers: Mapping[str, AnswerValue], variants: NDArray[np.intp]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        penalty = np.zeros((len(variants), len(self.models)))
        flags = np.zeros_like(penalty)
        for model, points, alternatives in self.flags:
            hit = np.zeros(len(variants), dtype=bool)
            for literals in alternatives:
                ok = np.ones(len(variants), dtype=bool)
                for lit in literals:
                    if lit.question >= 0:
                        ok &= lit.mask[variants[:, lit.question]]
                    elif not matches((lit.condition,), answers):
                        ok[:] = False
                hit |= ok
            penalty[:, model] += hit * points
            flags[:, model] += hit
        return penalty, flags
