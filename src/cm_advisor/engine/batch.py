"""Score many variants of one answer set at once with NumPy.

A variant is the answer set with some single-choice answers replaced. Because the
model is additive, a variant's raw points are a gather and a sum; red flags are
looked up per condition. What-if analysis scores hundreds of variants this way
in one pass instead of one Python call each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.table import MAX_FIT, NEUTRAL, matches
from cm_advisor.engine.types import AnswerValue, Catalogue

UNANSWERED = -1


@dataclass(frozen=True)
class Batch:
    """Fit rules as arrays over the single-choice questions."""

    models: tuple[str, ...]
    questions: tuple[str, ...]  # single-choice only
    options: tuple[tuple[str, ...], ...]
    fits: NDArray[np.float64]  # (questions, max options + 1, models); last slot = unanswered
    tie_break: NDArray[np.float64]  # tiny per-model offsets: model id order

    @classmethod
    def build(cls, catalogue: Catalogue) -> Batch:
        table = catalogue.table
        singles = [q for q in catalogue.questionnaire.questions if q.kind == "single"]
        widest = max(len(q.option_ids) for q in singles)
        fits = np.zeros((len(singles), widest + 1, len(table.models)))
        for i, q in enumerate(singles):
            for j, option in enumerate(q.option_ids):
                fits[i, j] = table.fits[q.id][option]
        ranks = np.argsort(np.argsort(np.array(table.models)))
        return cls(
            models=table.models,
            questions=tuple(q.id for q in singles),
            options=tuple(q.option_ids for q in singles),
            fits=fits,
            tie_break=(ranks * 1e-12).astype(np.float64),
        )

    def encode(self, answers: Mapping[str, AnswerValue]) -> NDArray[np.intp]:
        """Option index per single-choice question; the unanswered slot when missing."""
        return np.array(
            [
                opts.index(str(answers[q])) if q in answers else len(self.fits[0]) - 1
                for q, opts in zip(self.questions, self.options, strict=True)
            ],
            dtype=np.intp,
        )

    def winners(
        self,
        catalogue: Catalogue,
        answers: Mapping[str, AnswerValue],
        weights: Mapping[str, float],
        variants: NDArray[np.intp],
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """For each variant (rows of option indices): the winning model index and its lead."""
        table = catalogue.table
        total = sum(weights.values())
        scale = NEUTRAL / (MAX_FIT * total) if total > 0 else 0.0
        w = np.array([weights[q] for q in self.questions])
        rows = self.fits[np.arange(len(self.questions)), variants]  # (variants, questions, models)
        raw = np.einsum("vqm,q->vm", rows, w)
        for qid, answer in answers.items():  # multi-choice answers never vary here
            if qid not in self.questions and weights[qid]:
                raw += weights[qid] * np.array(table.row(qid, answer))
        penalty, flags = self._penalties(catalogue, answers, variants)
        scores = np.clip(NEUTRAL + scale * raw - penalty, 0, 100)
        keyed = scores - flags * 1e-9 - self.tie_break
        order = np.argsort(-keyed, axis=1)
        best, second = order[:, 0], order[:, 1]
        picked = np.arange(len(variants))
        return best, scores[picked, best] - scores[picked, second]

    def _penalties(
        self,
        catalogue: Catalogue,
        answers: Mapping[str, AnswerValue],
        variants: NDArray[np.intp],
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        table = catalogue.table
        penalty = np.zeros((len(variants), len(self.models)))
        flags = np.zeros_like(penalty)
        for flag in table.flags:
            hit = np.zeros(len(variants), dtype=bool)
            for condition in flag.when:
                hit |= self._condition(answers, condition, variants)
            penalty[:, flag.model] += hit * flag.penalty
            flags[:, flag.model] += hit
        return penalty, flags

    def _condition(
        self,
        answers: Mapping[str, AnswerValue],
        condition: Mapping[str, Sequence[str]],
        variants: NDArray[np.intp],
    ) -> NDArray[np.bool_]:
        ok = np.ones(len(variants), dtype=bool)
        for qid, allowed in condition.items():
            if qid in self.questions:
                i = self.questions.index(qid)
                wanted = [self.options[i].index(o) for o in allowed]
                ok &= np.isin(variants[:, i], wanted)
            elif not matches(({qid: tuple(allowed)},), answers):
                ok[:] = False
        return ok
