"""Request bodies built from the catalogue, so /docs lists every question and option."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from cm_advisor.engine import Catalogue
from cm_advisor.engine.answers import WEIGHT_HELP
from cm_advisor.engine.results import MAX_POPULATION
from cm_advisor.limits import LABEL_MAX, NOTES_MAX

EXAMPLE_ANSWERS: dict[str, Any] = {
    "acuity": "very_high",
    "complex_needs": "most",
    "high_utilization": "common",
    "staffing": "ample",
    "staff_mix": "mixed",
    "budget": "flexible",
    "outcomes": ["utilization", "cost"],
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def score_request_model(catalogue: Catalogue) -> type[BaseModel]:
    """A ScoreRequest whose answers and weights have one documented field per question."""
    answer_fields: dict[str, Any] = {}
    weight_fields: dict[str, Any] = {}
    for q in catalogue.questionnaire.questions:
        options: Any = Literal[q.option_ids]
        kind: Any = list[options] if q.kind == "multi" else options
        answer_fields[q.id] = (
            kind | None,
            Field(None, description=q.label, max_length=q.max_choices)
            if q.kind == "multi"
            else Field(None, description=q.label),
        )
        weight_fields[q.id] = (
            float | None,
            Field(
                None,
                ge=0,
                le=3,
                strict=True,
                description=f"Importance of {q.title.lower()}: {WEIGHT_HELP}",
            ),
        )
    answers = create_model("Answers", __base__=_Strict, **answer_fields)
    weights = create_model("Weights", __base__=_Strict, **weight_fields)
    return create_model(
        "ScoreRequest",
        __base__=_Strict,
        answers=(
            answers,
            Field(
                description="One answer per question id; leave a question out if unsure "
                "(it counts as neutral and lowers the confidence).",
                examples=[EXAMPLE_ANSWERS],
            ),
        ),
        weights=(
            weights | None,
            Field(
                None,
                description=f"Optional importance per question: {WEIGHT_HELP}.",
                examples=[{"budget": 2, "training_capacity": 0.5}],
            ),
        ),
        population=(
            _population_model(catalogue) | None,
            Field(
                None,
                description="Optional: patients in scope and the percentage in each risk tier "
                "(high, rising, low; adding up to 100). Enables the tiered hybrid and staffing.",
                examples=[{"size": 12000, "tiers": {"high": 5, "rising": 20, "low": 75}}],
            ),
        ),
    )


def _population_model(catalogue: Catalogue) -> Any:
    """Population with one documented percentage field per catalogue tier."""
    tier_fields: dict[str, Any] = {
        t.id: (
            float | None,
            Field(None, ge=0, le=100, strict=True, description=f"% in the {t.label.lower()}"),
        )
        for t in catalogue.tiers
    }
    tiers = create_model("TierShares", __base__=_Strict, **tier_fields)
    return create_model(
        "PopulationInput",
        __base__=_Strict,
        size=(int, Field(gt=0, le=MAX_POPULATION, strict=True, examples=[12000])),
        tiers=(
            tiers,
            Field(
                default_factory=tiers,
                description="Percentages that add up to 100.",
                examples=[{"high": 5, "rising": 20, "low": 75}],
            ),
        ),
    )


def assessment_request_model(score_request: type[BaseModel]) -> type[BaseModel]:
    """The score request plus the label and notes a consultant keeps with a saved result."""
    return create_model(
        "AssessmentRequest",
        __base__=score_request,
        label=(
            str | None,
            Field(None, max_length=LABEL_MAX, description="Client or organization name."),
        ),
        notes=(str | None, Field(None, max_length=NOTES_MAX, description="Free notes.")),
    )


def plain(model: BaseModel | None) -> dict[str, Any]:
    """The fields a client actually sent, as plain values for the engine."""
    return {} if model is None else model.model_dump(exclude_none=True)
