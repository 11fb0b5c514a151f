"""Score every one- and two-answer change of an answer set at once, with NumPy.

A change moves one single-choice question to another of its options. Everything
that does not depend on the answers is built once per catalogue: every option as
a row of fits, every pair of options of different questions, and for every red
flag the literal tests ("question in options") that an option decides. For one
answer set, each option becomes one row of what it changes (points per model,
red-flag tie offsets, steps moved); a variant is the sum of two such rows (the
second is the "no change" row for a single change), so hundreds of variants cost
a fixed number of array operations. Where both options of a pair decide the same
red flag, the two rows do not add up; those few pairs, known from the catalogue
alone, have their flag worked out together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.table import DIGITS, Frame
from cm_advisor.engine.types import AnswerValue, Catalogue

Ints = NDArray[np.intp]
Floats = NDArray[np.float64]
Residuals = tuple[tuple[int, ...], ...]
"""A red flag with some answers fixed: per alternative still open, the literals it still needs."""

FIXED = 1e5
"""The cost of changing an option that cannot change (its question is unanswered,
ignored or already has it): above any real number of steps, so such variants sort last."""
PAIR = 1e3  # added to a pair's sort key, so one change comes before two
MODEL = 1e7  # a variant's sort key starts with the model it puts first
FLAG_TIE = 10.0 ** -(DIGITS + 1)  # a red flag's tie-break offset: fewer red flags first


@dataclass(frozen=True, slots=True)
class Variants:
    """Every variant of one answer set: the options it sets, its cost, winner and scores.

    Variants that cannot happen (an option of an unanswered or ignored question,
    or the option already chosen) are kept, with a cost of FIXED or more, so the
    arrays keep the catalogue's shape; `key` sorts them last within their model.
    """

    first: Ints  # option index of the (first) change
    second: Ints  # option index of the second change, -1 for a single change
    cost: Floats  # steps moved along the options' scales
    best: Ints  # model index ranked first
    scores: Floats  # (variants, models), as the ranking would round them
    key: Floats  # best · MODEL + PAIR if two changes + cost: the order what-if picks in

    def possible(self) -> Ints:
        """Indices of the variants that can happen."""
        return np.flatnonzero(self.cost < FIXED)


@dataclass(frozen=True, slots=True)
class _Question:
    id: str
    row: int  # in the fit table
    start: int  # its first option's index
    end: int


@dataclass(frozen=True, slots=True)
class Batch:
    """The catalogue's single-choice options, their pairs and their red flags.

    Variant v sets option `first[v]` and, for a pair, option `second[v]`; a single
    change's `second` is the extra "no change" row (index = number of options).
    """

    models: tuple[str, ...]
    ids: tuple[tuple[str, str], ...]  # per option: (question id, option id)
    option_index: dict[tuple[str, str], int]
    questions: tuple[_Question, ...]
    costs: tuple[tuple[float, ...], ...]  # per option chosen now: its question's options' costs
    same: tuple[tuple[int, ...], ...]  # per option chosen now: its index, once per sibling
    row_of: Ints  # per option: its question's row in the fit table
    fits: Floats  # (options, models)
    first: Ints  # per variant: singles, then every two options of different questions
    second: Ints
    shown_second: Ints  # `second` with -1 for a single change
    pair_key: Floats  # PAIR for a pair, 0 for a single change
    literals: tuple[tuple[str, frozenset[str]], ...]  # every literal test of every red flag
    flags: tuple[tuple[int, float, Residuals], ...]  # per flag: model, penalty, alternatives
    deciders: tuple[tuple[int, int, Residuals], ...]  # (option, flag, the flag with it chosen)
    tangles: tuple[tuple[int, int, int, tuple[tuple[int, Residuals], ...]], ...]
    """(variant, option a, option b, per flag both decide: the flag with both chosen)"""
    tie: tuple[float, ...]  # per model: its place in id order, for the tie-break

    @classmethod
    def build(cls, catalogue: Catalogue) -> Batch:
        table = catalogue.table
        ids: list[tuple[str, str]] = []
        questions, costs, same = [], [], []
        for q in catalogue.questionnaire.questions:
            if q.kind != "single":
                continue
            start = len(ids)
            ids += [(q.id, option) for option in q.option_ids]
            questions.append(_Question(q.id, table.index[q.id], start, len(ids)))
            for now in range(len(q.option_ids)):
                costs.append(
                    tuple(float(abs(o - now)) if o != now else FIXED for o in range(len(q.options)))
                )
                same.append((start + now,) * len(q.options))
        row_of = np.array([table.index[q] for q, _ in ids], dtype=np.intp)
        a, b = np.triu_indices(len(ids), k=1)
        keep = row_of[a] != row_of[b]
        first = np.concatenate([np.arange(len(ids), dtype=np.intp), a[keep]])
        second = np.concatenate([np.full(len(ids), len(ids), dtype=np.intp), b[keep]])

        literals = [literal for flag in table.flags for test in flag.tests for literal in test]
        flags, at = [], 0
        for flag in table.flags:
            alternatives = []
            for test in flag.tests:
                alternatives.append(tuple(range(at, at + len(test))))
                at += len(test)
            flags.append((flag.model, flag.penalty, tuple(alternatives)))

        def fixed(chosen: dict[str, str], alternatives: Residuals) -> Residuals:
            """The alternatives still open, and what they still need, with some answers set."""
            open_ = []
            for alternative in alternatives:
                need = []
                for lit in alternative:
                    qid, allowed = literals[lit]
                    if qid not in chosen:
                        need.append(lit)
                    elif chosen[qid] not in allowed:
                        break
                else:
                    open_.append(tuple(need))
            return tuple(open_)

        asked = [{literals[lit][0] for alt in alts for lit in alt} for _, _, alts in flags]
        deciders = [
            (o, f, fixed({qid: option}, flags[f][2]))
            for o, (qid, option) in enumerate(ids)
            for f in range(len(flags))
            if qid in asked[f]
        ]
        tangles = []
        for v in range(len(ids), len(first)):
            (qa, oa), (qb, ob) = ids[first[v]], ids[second[v]]
            both = tuple(
                (f, fixed({qa: oa, qb: ob}, flags[f][2]))
                for f in range(len(flags))
                if qa in asked[f] and qb in asked[f]
            )
            if both:
                tangles.append((v, int(first[v]), int(second[v]), both))
        models = len(table.models)
        return cls(
            models=table.models,
            ids=tuple(ids),
            option_index={key: i for i, key in enumerate(ids)},
            questions=tuple(questions),
            costs=tuple(costs),
            same=tuple(same),
            row_of=row_of,
            fits=np.array([table.fits[q][o] for q, o in ids], dtype=np.float64).reshape(
                len(ids), models
            ),
            first=first,
            second=second,
            shown_second=np.where(second < len(ids), second, -1),
            pair_key=np.where(second < len(ids), PAIR, 0.0),
            literals=tuple(literals),
            flags=tuple(flags),
            deciders=tuple(deciders),
            tangles=tuple(tangles),
            tie=tuple(place * 1e-12 for place in table.id_rank),
        )

    def variants(self, frame: Frame) -> Variants:
        """Every change of one, then two, answered and weighted single-choice questions.

        Row o of `points`, `ties` and `cost` is what choosing option o does,
        relative to the answers as they are: points per model (its fits, less its
        question's current fits, times its weight; less any red-flag penalty it
        raises, plus any it clears), red-flag tie offsets per model, and steps moved
        (FIXED when it cannot be chosen). The last row is "no change". A variant is
        two rows added up, the first with the scores and offsets as they are now.
        """
        answers, w = frame.answers, frame.w_list
        options, models = len(self.ids), len(self.models)
        cost = [FIXED] * options + [0.0]
        now = list(range(options))  # per option: the option its question has now
        for q in self.questions:
            answer = answers.get(q.id)
            if answer.__class__ is str and w[q.row] > 0:
                chosen = self.option_index[(q.id, answer)]
                cost[q.start : q.end] = self.costs[chosen]
                now[q.start : q.end] = self.same[chosen]
        points = np.zeros((options + 1, models))  # + the "no change" row
        np.subtract(self.fits, self.fits.take(now, axis=0), out=points[:options])
        points[:options] *= (frame.w.take(self.row_of) * frame.scale)[:, None]
        ties = np.zeros((options + 1, models))  # red-flag tie offsets

        truth = [_holds(answers.get(q), allowed) for q, allowed in self.literals]
        state = [False] * len(self.flags)
        for f in frame.raised:
            state[f] = True
        chosen_state: dict[tuple[int, int], bool] = {}
        for o, f, alternatives in self.deciders:
            if cost[o] < FIXED:
                on = chosen_state[o, f] = _open(alternatives, truth)
                if on != state[f]:
                    _flag(points, ties, o, self.flags[f], on - state[f])

        # A variant adds its first row, with the scores and tie offsets as they are,
        # and its second row.
        first, second = self.first, self.second
        scores = (points + frame.start).take(first, axis=0)
        scores += points.take(second, axis=0)
        now_ties = [
            count * FLAG_TIE + tie for count, tie in zip(frame.flags, self.tie, strict=True)
        ]
        offsets = (ties + now_ties).take(first, axis=0)
        offsets += ties.take(second, axis=0)
        for v, a, b, both in self.tangles:
            if cost[a] < FIXED and cost[b] < FIXED:
                for f, alternatives in both:
                    added = chosen_state[a, f] + chosen_state[b, f] - state[f]
                    on = _open(alternatives, truth)
                    if on != added:
                        _flag(scores, offsets, v, self.flags[f], on - added)

        np.maximum(scores, 0.0, out=scores)
        np.minimum(scores, 100.0, out=scores)
        scores.round(DIGITS, out=scores)
        best = (scores - offsets).argmax(axis=1)
        costs = np.array(cost)
        steps = costs.take(first)
        steps += costs.take(second)
        key = best * MODEL
        key += self.pair_key
        key += steps
        return Variants(
            first=first,
            second=self.shown_second,
            cost=steps,
            best=best,
            scores=scores,
            key=key,
        )


def _holds(answer: AnswerValue | None, allowed: frozenset[str]) -> bool:
    if answer.__class__ is str:
        return answer in allowed
    return answer is not None and not allowed.isdisjoint(answer)


def _open(alternatives: Residuals, truth: Sequence[bool]) -> bool:
    """True when some alternative has every literal it still needs true."""
    for alternative in alternatives:
        for lit in alternative:
            if not truth[lit]:
                break
        else:
            return True
    return False


def _flag(
    points: Floats, ties: Floats, row: int, flag: tuple[int, float, Residuals], sign: int
) -> None:
    """Raise (sign 1) or clear (sign -1) a red flag in one row of points and tie offsets."""
    model, penalty, _ = flag
    points[row, model] -= sign * penalty
    ties[row, model] += sign * FLAG_TIE


def changes(batch: Batch, variants: Variants, i: int) -> dict[str, str]:
    """The answers variant i changes, as question id -> option id."""
    picked = [int(variants.first[i]), int(variants.second[i])]
    return dict(batch.ids[j] for j in picked if j >= 0)
