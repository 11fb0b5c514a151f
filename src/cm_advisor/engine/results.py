"""What the engine returns: a ranked, explained result, as stored and as the API sends it.

Stored results are parsed back with these types for ever, so a field added later has a
default (None or empty) that means "this result was computed before it existed".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from cm_advisor.engine.types import Frozen, Grade, HybridPart

MAX_POPULATION = 50_000_000
AnswerValue = str | tuple[str, ...]
Verdict = Literal["clear", "close", "tie", "insufficient"]


class FieldError(Frozen):
    """One problem with one answer or weight, phrased for the person who gave it."""

    field: str
    message: str
    allowed: tuple[str, ...] = ()


@dataclass(slots=True)
class Contribution:
    """Points one answer (or red flag) gives one model, and the rule's reason.

    A plain dataclass, where every other result type is a frozen pydantic model: a result
    holds about seventy of these, and this makes them eight times cheaper (0.11 against
    0.9 µs each; a frozen dataclass takes 0.43), a tenth of what explaining costs.
    Pydantic reads and writes it inside results like any model. Treat it as read-only."""

    question: str
    answer: str
    points: float
    why: str
    kind: Literal["fit", "red_flag"] = "fit"


class ModelScore(Frozen):
    model: str
    name: str
    rank: int
    score: float
    fit: Literal["strong", "good", "partial", "weak"]
    reasons: tuple[str, ...]  # its strongest positive contributions
    concerns: tuple[str, ...]  # its red flags, then its most negative contributions
    behind_top: tuple[str, ...] = ()  # what counts against it compared with the winner
    contributions: tuple[Contribution, ...]


class StaffRange(Frozen):
    """Full-time case managers needed: low uses the top of the caseload range, high the bottom."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra={"examples": [{"low": 30, "high": 60}]}
    )

    low: int
    high: int


class TierPlan(Frozen):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tier": "high",
                    "label": "High-risk tier",
                    "share": 5,
                    "model": "intensive",
                    "patients": 600,
                    "case_managers": {"low": 30, "high": 60},
                    "handover": "High-risk patients step down ...",
                }
            ]
        },
    )

    tier: str
    label: str
    share: float
    model: str
    patients: int
    case_managers: StaffRange
    handover: str = ""


class HybridProposal(Frozen):
    id: str
    kind: Literal["close_call", "mixed_population", "tiered"]
    models: tuple[str, ...]
    title: str
    rationale: str
    parts: tuple[HybridPart, ...]
    tiers: tuple[TierPlan, ...] = ()
    case_managers: StaffRange | None = None


class Population(Frozen):
    """Optional: how many patients, and what percentage falls in each risk tier."""

    size: int = Field(gt=0, le=MAX_POPULATION, strict=True, examples=[12000])
    tiers: dict[str, Annotated[float, Field(strict=True)]] = Field(
        default_factory=dict, examples=[{"high": 5, "rising": 20, "low": 75}]
    )


class Staffing(Frozen):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "model": "clinical",
                    "patients": 12000,
                    "case_managers": {"low": 343, "high": 600},
                    "caseload_low": 20,
                    "caseload_high": 35,
                    "assumption": False,
                }
            ]
        },
    )

    model: str
    patients: int
    case_managers: StaffRange
    caseload_low: int
    caseload_high: int
    assumption: bool


class CriticalFactor(Frozen):
    question: str
    text: str
    model: str
    weight_from: float
    weight_to: float


class Robustness(Frozen):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "first_place_share": {
                        "brokerage": 0.0,
                        "clinical": 0.06,
                        "strengths_based": 0.0,
                        "intensive": 0.87,
                        "collaborative": 0.07,
                    },
                    "samples": 2000,
                    "spread": 0.5,
                    "critical_factor": {
                        "question": "budget",
                        "model": "clinical",
                        "weight_from": 1.0,
                        "weight_to": 2.4,
                        "text": "Your answers are most sensitive to budget: ...",
                    },
                    "text": "Intensive case management (ICM) comes first in 9 of 10 ...",
                }
            ]
        },
    )

    first_place_share: dict[str, float]
    samples: int
    spread: float
    critical_factor: CriticalFactor | None
    text: str


class WhatIf(Frozen):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "model": "intensive",
                    "changes": {"staffing": "ample"},
                    "kind": "organization",
                    "direction": "better",
                    "text": "With more case-management capacity (“Ample” rather than "
                    "“Limited”), Intensive case management (ICM) would rank first.",
                }
            ]
        },
    )

    model: str
    changes: dict[str, str]
    text: str
    kind: Literal["organization", "patients"] | None = None  # None: saved before 2026.12
    direction: Literal["better", "worse", "mixed", "neutral"] | None = None
    """For changes the organization could make: whether they build up what it has
    ("better"), cut it back ("worse"), both, or neither."""


class EvidenceNote(Frozen):
    """How strong the evidence behind the recommended model is, in plain words."""

    model: str
    grade: Grade
    grade_to: Grade | None = None
    text: str


class Result(Frozen):
    ranking: tuple[ModelScore, ...]
    recommended: str  # the first-ranked model; provisional when the verdict is "insufficient"
    confidence: Literal["high", "medium", "low"]
    confidence_reason: str
    verdict: Verdict | None = None  # None: saved before 2026.12
    headline: str = ""  # the verdict in one line
    hybrids: tuple[HybridProposal, ...]
    answers: dict[str, AnswerValue]
    weights: dict[str, float]
    unanswered: tuple[str, ...]
    robustness: Robustness | None = None
    what_if: tuple[WhatIf, ...] = ()
    evidence: EvidenceNote | None = None
    population: Population | None = None
    staffing: Staffing | None = None
    catalogue_version: str
    catalogue_hash: str
    engine_version: str
