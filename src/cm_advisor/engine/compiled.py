"""The catalogue's rules as numbers, compiled once per catalogue.

A catalogue is immutable, so what is derived from it is kept for as long as the
catalogue object lives (by identity: a catalogue holds dicts, so it has no hash).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from cm_advisor.engine.results import AnswerValue
from cm_advisor.engine.types import Catalogue, Condition

Floats = NDArray[np.float64]
Literal_ = tuple[str, frozenset[str]]
"""One test of a condition: the question's answer is one of these options."""
Alternative = tuple[Literal_, ...]
"""Every literal must hold (AND); a condition is a tuple of alternatives (OR)."""

Derived = TypeVar("Derived")


def per_catalogue(build: Callable[[Catalogue], Derived]) -> Callable[[Catalogue], Derived]:
    """Cache what `build` derives from a catalogue for as long as that catalogue lives."""
    found: dict[int, Derived] = {}

    def cached(catalogue: Catalogue) -> Derived:
        key = id(catalogue)
        value = found.get(key)
        if value is None:
            value = found[key] = build(catalogue)
            weakref.finalize(catalogue, found.pop, key, None)
        return value

    cached.__doc__ = build.__doc__
    return cached


@dataclass(frozen=True, slots=True)
class CompiledFlag:
    model: int
    penalty: float
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True, slots=True)
class FitTable:
    """Fits, reasons and red flags, indexed by question, option and model."""

    models: tuple[str, ...]
    questions: tuple[str, ...]  # question ids in questionnaire order
    index: dict[str, int]  # question id -> its row
    fits: dict[str, dict[str, Floats]]  # question -> option -> fit per model
    positions: dict[str, dict[str, int]]  # single-choice question -> option -> its index
    whys: dict[str, dict[str, tuple[str, ...]]]  # question -> option -> reason per model
    flags: tuple[CompiledFlag, ...]
    priority: tuple[float, ...]  # weight of the 1st, 2nd, … option of a multi-choice answer
    tie_places: Floats  # per model: its place in the catalogue's tie-break order

    def shares(self, count: int) -> list[float]:
        """How a multi-choice question's weight splits over its chosen options, in order."""
        raw = [self.priority[min(i, len(self.priority) - 1)] for i in range(count)]
        total = sum(raw)
        return [r / total for r in raw]

    def row(self, question: str, answer: AnswerValue) -> Floats:
        """Each model's fit for one answer (a priority-weighted mix for multi-choice)."""
        by_option = self.fits[question]
        if isinstance(answer, str):
            return by_option[answer]
        mixed = np.zeros(len(self.models))
        for option, share in zip(answer, self.shares(len(answer)), strict=True):
            mixed += share * by_option[option]
        return mixed

    def choice(self, question: str, answer: AnswerValue) -> int:
        """The index of a single-choice answer among its options; -1 for a multi-choice one."""
        return self.positions[question][answer] if isinstance(answer, str) else -1

    def penalties(
        self, answers: Mapping[str, AnswerValue]
    ) -> tuple[Floats, Floats, tuple[int, ...]]:
        """Red-flag points and count per model, and which of the catalogue's flags apply."""
        points = np.zeros(len(self.models))
        counts = np.zeros(len(self.models))
        raised = []
        for f, flag in enumerate(self.flags):
            if matching(flag.alternatives, answers) is not None:
                points[flag.model] += flag.penalty
                counts[flag.model] += 1
                raised.append(f)
        return points, counts, tuple(raised)


@per_catalogue
def fit_table(catalogue: Catalogue) -> FitTable:
    """The fit table of a catalogue."""
    models = catalogue.model_ids
    return FitTable(
        models=models,
        questions=tuple(q.id for q in catalogue.questionnaire.questions),
        index={q.id: i for i, q in enumerate(catalogue.questionnaire.questions)},
        positions={
            q.id: {o: i for i, o in enumerate(q.option_ids)}
            for q in catalogue.questionnaire.questions
            if q.kind == "single"
        },
        fits={
            qid: {
                option: np.array([by_model[m].fit for m in models], dtype=np.float64)
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
        flags=tuple(
            CompiledFlag(models.index(f.model), f.penalty, compile_condition(f.when))
            for f in catalogue.red_flags
        ),
        priority=catalogue.outcome_priority,
        tie_places=np.array([catalogue.tie_order.index(m) for m in models], dtype=np.float64),
    )


def compile_condition(conditions: Sequence[Condition]) -> tuple[Alternative, ...]:
    return tuple(
        tuple((qid, frozenset(options)) for qid, options in cond.items()) for cond in conditions
    )


def matching(
    alternatives: Sequence[Alternative], answers: Mapping[str, AnswerValue]
) -> Alternative | None:
    """The first alternative whose every question is answered with one of its options."""
    for alternative in alternatives:
        if all(holds(answers.get(qid), allowed) for qid, allowed in alternative):
            return alternative
    return None


def holds(answer: AnswerValue | None, allowed: frozenset[str]) -> bool:
    """A literal test: a single answer is one of the options, or a multi-choice one has one."""
    if answer is None:
        return False
    if isinstance(answer, str):
        return answer in allowed
    return not allowed.isdisjoint(answer)
