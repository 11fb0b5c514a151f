"""How the result reads: a verdict (clear lead, close call, tie, not enough answers), the
confidence badge, and one headline, all from the same documented thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cm_advisor.engine.results import Verdict
from cm_advisor.engine.types import Catalogue

MIN_ANSWERED_SHARE = 0.5
"""Below this share of the questions that count (weight above 0), no model is recommended."""
TIE_POINTS = 1.0
"""A lead under one point is a tie: less than one answer of normal importance moved one step
of fit (about 1.4 points with the default priorities)."""
CLOSE_POINTS = 5.0
"""A lead under five points is a close call, and the top two are offered as a blend."""
HIGH_MARGIN = 8.0  # high confidence needs this lead,
HIGH_SHARE = 0.8  # first place in this share of sampled weightings,
HIGH_UNANSWERED = 1  # and at most this many questions unanswered
LOW_SHARE = 0.5  # first place in fewer sampled weightings than this is low confidence
LOW_MARGIN = 3.0  # and so is a lead under this many points

Level = Literal["high", "medium", "low"]


@dataclass(frozen=True, slots=True)
class Reading:
    verdict: Verdict
    headline: str
    confidence: Level
    confidence_reason: str


def read(
    catalogue: Catalogue,
    first: str,
    second: str | None,
    lead: float,
    answered: int,
    counted: int,
    share: float,
) -> Reading:
    """The verdict and confidence for a ranking whose first two models are `first` and
    `second`, `lead` points apart, with `answered` of the `counted` questions answered
    and the winner first in `share` of sampled weightings."""
    a = catalogue.model(first).name
    b = catalogue.model(second).name if second else ""
    unanswered = counted - answered
    missing = f"{unanswered} of {counted} questions unanswered"
    robust = f"it comes first in {share:.0%} of the weightings we tried"
    lead_words = f"the top model leads by {lead:.1f} points"
    if counted == 0 or answered < MIN_ANSWERED_SHARE * counted:
        return Reading(
            "insufficient",
            f"Not enough answers to recommend a model yet: {answered} of {counted} questions "
            "answered.",
            "low",
            f"Only part of the questionnaire was answered ({missing}).",
        )
    if second is not None and lead < TIE_POINTS:
        return Reading(
            "tie",
            f"{a} and {b} fit about equally well: consider a blend of the two.",
            "low",
            f"The top two models are level: {lead_words}.",
        )
    if lead < LOW_MARGIN or share < LOW_SHARE:
        level: Level = "low"
        reason = f"The top models are nearly level: {lead_words} and {robust}."
    elif lead >= HIGH_MARGIN and unanswered <= HIGH_UNANSWERED and share >= HIGH_SHARE:
        level, reason = "high", f"Clear lead: {lead_words}, {robust}, with {missing}."
    else:
        level, reason = "medium", f"A moderate lead: {lead_words}, {robust}, with {missing}."
    if second is not None and lead < CLOSE_POINTS:
        return Reading("close", f"{a} fits best, narrowly ahead of {b}.", level, reason)
    return Reading("clear", f"{a} is the best fit for your organization.", level, reason)
