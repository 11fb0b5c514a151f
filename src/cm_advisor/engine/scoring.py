"""Weighted additive scoring on a fixed absolute scale, with the reasons behind each score.

Every answered question adds ``50 × weight × fit / (2 × Σ weights)`` points to a
neutral 50; red flags subtract their penalty; the result is clamped to 0–100.
The sum runs over all weighted questions, answered or not, so a missing answer
counts as neutral. A model's score depends only on its own rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cm_advisor.engine.table import MAX_FIT, NEUTRAL, matches
from cm_advisor.engine.types import AnswerValue, Catalogue, Contribution, Model

FIT_LABELS: tuple[tuple[float, str], ...] = ((70, "strong"), (55, "good"), (40, "partial"))
MAX_REASONS = 3
MAX_CONCERNS = 4


def contributions(
    catalogue: Catalogue,
    model: Model,
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float],
) -> list[Contribution]:
    """Points each answer (and each red flag) adds to or takes from one model's score."""
    total = sum(weights.values())
    scale = NEUTRAL / (MAX_FIT * total) if total > 0 else 0.0
    found: list[Contribution] = []
    for qid, answer in answers.items():
        if weights[qid] == 0:  # "ignore this factor"; its red flags still apply
            continue
        chosen = (answer,) if isinstance(answer, str) else answer
        shares = [1.0] if isinstance(answer, str) else catalogue.table.shares(len(chosen))
        for option, share in zip(chosen, shares, strict=True):
            rule = catalogue.rules[qid][option][model.id]
            found.append(
                Contribution(
                    question=qid,
                    answer=option,
                    points=scale * weights[qid] * share * rule.fit,
                    why=rule.why,
                )
            )
    for flag in catalogue.red_flags:
        if flag.model == model.id and matches(flag.when, answers):
            first = next(iter(flag.when[0]))
            found.append(
                Contribution(
                    question=first,
                    answer=_as_text(answers.get(first)),
                    points=-flag.penalty,
                    why=flag.concern,
                    kind="red_flag",
                )
            )
    return found


def _as_text(answer: AnswerValue | None) -> str:
    if answer is None:
        return ""
    return answer if isinstance(answer, str) else ", ".join(answer)


def fit_label(score: float) -> str:
    return next((label for floor, label in FIT_LABELS if score >= floor), "weak")


def reasons(found: Sequence[Contribution]) -> tuple[str, ...]:
    positive = sorted((c for c in found if c.points > 0), key=lambda c: -c.points)
    return tuple(c.why for c in positive[:MAX_REASONS])


def concerns(found: Sequence[Contribution]) -> tuple[str, ...]:
    flags = [c.why for c in found if c.kind == "red_flag"]
    negative = sorted(
        (c for c in found if c.kind == "fit" and c.points < 0), key=lambda c: c.points
    )
    return tuple(flags + [c.why for c in negative[: max(0, MAX_CONCERNS - len(flags))]])


def behind(
    catalogue: Catalogue, found: Sequence[Contribution], top: Sequence[Contribution]
) -> tuple[str, ...]:
    """The answers where a model lost most ground to the winner, in its own rule's words."""
    gaps: dict[tuple[str, str], float] = {}
    for c in top:
        gaps[(c.question, c.answer)] = gaps.get((c.question, c.answer), 0.0) + c.points
    for c in found:
        gaps[(c.question, c.answer)] = gaps.get((c.question, c.answer), 0.0) - c.points
    own = {(c.question, c.answer): c.why for c in found}
    worst = sorted((k for k, gap in gaps.items() if gap > 0.05), key=lambda k: -gaps[k])
    return tuple(
        f"{catalogue.question(qid).title}: {own[(qid, option)]}"
        for qid, option in worst
        if (qid, option) in own
    )[:2]
