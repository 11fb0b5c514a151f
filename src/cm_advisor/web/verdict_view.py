"""The answer a result page leads with: the verdict, the model (or the two that fit about
equally, and their blend), the score in words and the runner-up, worked out once from a
Result so the page, the PDF and the workbook say the same thing in the same words.

A result saved before verdicts existed (verdict None) keeps the words it was shown with:
"Best fit for your organization", its model, its score. It is never re-read as a verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cm_advisor.engine import Catalogue, HybridProposal, Model, ModelScore, Result
from cm_advisor.engine.results import Verdict
from cm_advisor.engine.verdict import MIN_ANSWERED_SHARE

BADGES: dict[Verdict, str] = {
    "clear": "Clear lead",
    "close": "Close call",
    "tie": "Tie",
    "insufficient": "Not enough answers",
}
LEGACY_EYEBROW = "Best fit for your organization"


@dataclass(frozen=True, slots=True)
class VerdictView:
    kind: Verdict | None  # None: saved before verdicts existed
    badge: str  # the verdict in two words ("" for an older result)
    headline: str  # the verdict in one line ("" for an older result)
    models: tuple[Model, ...]  # what is recommended: one model, two for a tie, none
    top: ModelScore
    runner_up: ModelScore | None
    blend: HybridProposal | None  # the close-call blend of the top two, when proposed
    score_words: str  # the score in words, with the lead over the runner-up
    answered: int  # questions that count (weight above 0) and were answered
    counted: int  # questions that count
    needed: int  # answered questions a recommendation needs

    @property
    def recommends(self) -> bool:
        """Whether a model is recommended at all (not for "not enough answers")."""
        return bool(self.models)

    @property
    def is_legacy(self) -> bool:
        return self.kind is None

    @property
    def winners(self) -> frozenset[str]:
        """The model ids the charts mark: the recommended model, both for a tie, none when
        there are not enough answers."""
        return frozenset(m.id for m in self.models)


def verdict_view(catalogue: Catalogue, result: Result) -> VerdictView:
    top = result.ranking[0]
    runner_up = result.ranking[1] if len(result.ranking) > 1 else None
    counted = [q for q, w in result.weights.items() if w > 0]
    answered = len(counted) - len([q for q in result.unanswered if q in counted])
    kind = result.verdict
    blend = next((h for h in result.hybrids if h.kind == "close_call"), None)
    if kind == "insufficient":
        models: tuple[Model, ...] = ()
    elif kind == "tie" and runner_up is not None:
        models = (_model(catalogue, top), _model(catalogue, runner_up))
    else:
        models = (_model(catalogue, top),)
    return VerdictView(
        kind=kind,
        badge=BADGES[kind] if kind else "",
        headline=result.headline,
        models=models,
        top=top,
        runner_up=runner_up,
        blend=blend if kind in ("tie", "close") else None,
        score_words=_score_words(catalogue, kind, top, runner_up),
        answered=answered,
        counted=len(counted),
        needed=math.ceil(MIN_ANSWERED_SHARE * len(counted)),
    )


def _model(catalogue: Catalogue, ms: ModelScore) -> Model:
    return catalogue.model(ms.model)


def _score_words(
    catalogue: Catalogue, kind: Verdict | None, top: ModelScore, second: ModelScore | None
) -> str:
    """ "Strong fit: 74.3 out of 100, 12.1 points ahead of Collaborative." and its kin."""
    if kind is None or kind == "insufficient":
        return ""
    lead = top.score - second.score if second else 0.0
    if kind == "tie" and second is not None:
        return (
            f"Both score about the same: {top.score:.1f} and {second.score:.1f} out of 100, "
            f"{_points(lead)} apart."
        )
    words = f"{top.fit.capitalize()} fit: {top.score:.1f} out of 100"
    if second is None:
        return words + "."
    ahead = catalogue.model(second.model).short_name
    return f"{words}, {_points(lead)} ahead of {ahead}."


def _points(value: float) -> str:
    return "1 point" if f"{value:.1f}" == "1.0" else f"{value:.1f} points"
