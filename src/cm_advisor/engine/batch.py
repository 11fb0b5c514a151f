"""Score every one- and two-answer change of an answer set at once, with NumPy.

A change moves one single-choice question to another of its options. Everything
that does not depend on the answers is built once per catalogue: every option
as a row of fits, every pair of options of different questions, and the red
flags as matrices over their literal tests ("question in options"). For one
answer set, each option is scored once as a single change (its points and its
red flags, a few matrix products); a pair adds two singles, so hundreds of
variants cost a fixed number of array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.table import DIGITS, NEUTRAL, Frame
from cm_advisor.engine.types import AnswerValue, Catalogue

Ints = NDArray[np.intp]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Variants:
    """Changed answer sets: which options (one or two) each sets, its cost, winner and scores."""

    first: Ints  # option index of the (first) change
    second: Ints  # option index of the second change, -1 for a single change
    cost: Ints  # steps moved along the options' scales
    best: Ints  # model index ranked first
    scores: Floats  # (variants, models), as the ranking would round them


@dataclass(frozen=True, slots=True)
class Batch:
    """The catalogue's single-choice options, their pairs and the red flags, as arrays.

    Variant v sets option `first[v]` and, for a pair, option `second[v]`; a single
    change's `second` is the extra "no change" row (index = number of options).
    """

    models: tuple[str, ...]
    question: Ints  # per option: its question's row in the fit table
    step: Ints  # per option: its position on its question's scale
    own: Ints  # per option: its own index
    ids: tuple[tuple[str, str], ...]  # per option: (question id, option id)
    option_index: dict[tuple[str, str], int]
    fits: Floats  # (options, models)
    first: Ints  # per variant: singles, then every two options of different questions
    second: Ints
    entangled: Bools  # per variant: both options decide literals of the same red flag
    literals: tuple[tuple[str, frozenset[str]], ...]  # per literal test of a red-flag alternative
    touches: Floats  # (options, literals): 1 where choosing the option decides the literal
    allows: Floats  # (options, literals): 1 where it makes the literal true
    alternatives: Floats  # (literals, alternatives): which literals each alternative needs
    needed: Floats  # literals per alternative, less one half
    flag_of: Floats  # (alternatives, flags)
    effects: Floats  # (flags, 2 × models): penalty points, then a tie-break offset per flag
    tie: Floats  # per model: its place in id order, for the tie-break (below 10**-DIGITS)

    @classmethod
    def build(cls, catalogue: Catalogue) -> Batch:
        table = catalogue.table
        models = len(table.models)
        ids = [
            (q.id, option)
            for q in catalogue.questionnaire.questions
            if q.kind == "single"
            for option in q.option_ids
        ]
        question = np.array([table.index[q] for q, _ in ids], dtype=np.intp)
        step = np.array([catalogue.question(q).option_ids.index(o) for q, o in ids], np.intp)
        a, b = np.triu_indices(len(ids), k=1)
        keep = question[a] != question[b]
        singles = np.arange(len(ids), dtype=np.intp)

        tests = [test for flag in table.flags for test in flag.tests]
        literals = [literal for test in tests for literal in test]
        alternatives = np.zeros((len(literals), len(tests)))
        flag_of = np.zeros((len(tests), len(table.flags)))
        effects = np.zeros((len(table.flags), 2 * models))
        lit = alt = 0
        for f, flag in enumerate(table.flags):
            for test in flag.tests:
                alternatives[lit : lit + len(test), alt] = 1.0
                flag_of[alt, f] = 1.0
                lit, alt = lit + len(test), alt + 1
            effects[f, flag.model] = flag.penalty
            effects[f, models + flag.model] = 10.0 ** -(DIGITS + 1)
        touches = np.array([[q == lq for lq, _ in literals] for q, _ in ids], dtype=float)
        flags_decided = np.zeros((len(ids) + 1, len(table.flags)), dtype=bool)  # + no change
        flags_decided[:-1] = touches @ alternatives @ flag_of > 0
        first = np.concatenate([singles, a[keep]])
        second = np.concatenate([np.full(len(ids), len(ids), dtype=np.intp), b[keep]])
        return cls(
            models=table.models,
            question=question,
            step=step,
            own=np.arange(len(ids), dtype=np.intp),
            ids=tuple(ids),
            option_index={key: i for i, key in enumerate(ids)},
            fits=np.array([table.fits[q][o] for q, o in ids], dtype=np.float64),
            first=first,
            second=second,
            entangled=(flags_decided[first] & flags_decided[second]).any(axis=1),
            literals=tuple(literals),
            touches=touches,
            allows=np.array([[q == lq and o in la for lq, la in literals] for q, o in ids], float),
            alternatives=alternatives,
            needed=alternatives.sum(axis=0) - 0.5,
            flag_of=flag_of,
            effects=effects,
            tie=np.argsort(np.argsort(np.array(table.models))).astype(np.float64) * 1e-12,
        )

    def variants(self, frame: Frame) -> Variants:
        """Every change of one, then two, answered and weighted single-choice questions.

        Each option is scored once as a single change: the points it moves per
        model and the red flags it raises or clears. Two options on different
        questions add up (a pair's scores are the two singles' less the current
        ones), except where both decide literals of the same red flag; those
        few pairs, known from the catalogue alone, have their flags worked out
        together.
        """
        answers, models = frame.answers, len(self.models)
        options = len(self.ids)
        current = np.full(len(frame.w) + 1, options, dtype=np.intp)  # per question row
        for qid, answer in answers.items():
            picked = self.option_index.get((qid, answer)) if isinstance(answer, str) else None
            if picked is not None:
                current[self.question[picked]] = picked
        mine = current.take(self.question)  # per option: the option its question has now
        weight = frame.w.take(self.question)
        movable = np.ones(options + 1, dtype=bool)  # + the "no change" row
        np.logical_and(mine < options, mine != self.own, out=movable[:options])
        movable[:options] &= weight > 0
        steps = np.zeros(options + 1, dtype=np.intp)
        steps[:options] = np.abs(self.step - self.step.take(np.minimum(mine, options - 1)))

        # Per option (and the no-change row): points moved, literals made or broken.
        truth = np.array([_holds(answers.get(q), a) for q, a in self.literals], dtype=float)
        gain = np.zeros((options + 1, models))
        gain[:options] = (self.fits - frame.fits.take(self.question, axis=0)) * (
            frame.scale * weight[:, None]
        )
        decided = np.zeros((options + 1, len(self.needed)))
        decided[:options] = (self.touches * (self.allows - truth)) @ self.alternatives
        threshold = self.needed - truth @ self.alternatives
        effect = ((decided > threshold) @ self.flag_of > 0) @ self.effects
        start = NEUTRAL + frame.scale * frame.raw
        single = start + gain - effect[:, :models]  # row `options`: the answers as they are
        offset = effect[:, models:]

        valid = np.flatnonzero(movable.take(self.first) & movable.take(self.second))
        first, second = self.first.take(valid), self.second.take(valid)
        scores = single.take(first, axis=0) + single.take(second, axis=0) - single[options]
        ties = offset.take(first, axis=0) + offset.take(second, axis=0) - offset[options] + self.tie
        together = np.flatnonzero(self.entangled.take(valid))
        if len(together):
            a, b = first[together], second[together]
            both = ((decided[a] + decided[b] > threshold) @ self.flag_of > 0) @ self.effects
            scores[together] = start + gain[a] + gain[b] - both[:, :models]
            ties[together] = both[:, models:] + self.tie
        np.clip(scores, 0.0, 100.0, out=scores)
        scores = scores.round(DIGITS)
        return Variants(
            first=first,
            second=np.where(second < options, second, -1),
            cost=steps.take(first) + steps.take(second),
            best=(scores - ties).argmax(axis=1),
            scores=scores,
        )


def _holds(answer: AnswerValue | None, allowed: frozenset[str]) -> bool:
    if answer.__class__ is str:
        return answer in allowed
    return answer is not None and not allowed.isdisjoint(answer)


def changes(batch: Batch, variants: Variants, i: int) -> dict[str, str]:
    """The answers variant i changes, as question id -> option id."""
    picked = [int(variants.first[i]), int(variants.second[i])]
    return dict(batch.ids[j] for j in picked if j >= 0)
