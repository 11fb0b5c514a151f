"""The catalogue and result types: frozen, strict, and the only shapes the engine accepts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

if TYPE_CHECKING:
    from cm_advisor.engine.batch import Batch
    from cm_advisor.engine.table import FitTable

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Fit = Annotated[int, Field(ge=-2, le=2)]
Weight = Annotated[float, Field(ge=0, le=3)]
MAX_POPULATION = 50_000_000


class Frozen(BaseModel):
    """Base for every engine type: immutable and refusing unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- questionnaire -------------------------------------------------------


class Option(Frozen):
    id: Id
    label: Text
    help: str = ""


class Question(Frozen):
    id: Id
    section: Id
    label: Text
    topic: str = ""  # short name for sentences ("Budget"); derived from the id when empty
    help: Text
    kind: Literal["single", "multi"] = "single"
    options: tuple[Option, ...] = Field(min_length=2)
    importance: Weight = 1.0
    max_choices: int | None = None

    @cached_property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @cached_property
    def title(self) -> str:
        return self.topic or self.id.replace("_", " ").capitalize()

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)


class Section(Frozen):
    id: Id
    title: Text
    intro: str = ""


class Questionnaire(Frozen):
    sections: tuple[Section, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Questionnaire:
        _unique("sections", [s.id for s in self.sections])
        _unique("questions", [q.id for q in self.questions])
        sections = {s.id for s in self.sections}
        for q in self.questions:
            _unique(f"question '{q.id}' options", list(q.option_ids))
            if q.section not in sections:
                raise ValueError(
                    f"question '{q.id}' names unknown section '{q.section}' "
                    f"(sections: {', '.join(sorted(sections))})"
                )
        return self


# --- models ---------------------------------------------------------------


class Caseload(Frozen):
    """Patients per case manager (full-time): a range with its source or marked as assumed."""

    low: int = Field(gt=0)
    high: int = Field(gt=0)
    source: Text
    assumption: bool = False

    @model_validator(mode="after")
    def _order(self) -> Caseload:
        if self.low > self.high:
            raise ValueError(f"caseload low ({self.low}) is above high ({self.high})")
        return self


class Intensity(Frozen):
    contact: Text
    caseload: Caseload


class Reference(Frozen):
    authors: Text
    year: int = Field(ge=1950, le=2100)
    title: Text
    source: Text
    finding: Text
    url: str = ""


class Model(Frozen):
    id: Id
    name: Text
    short_name: Text
    summary: Text
    description: Text
    staff_profile: Text
    intensity: Intensity
    best_for: tuple[Text, ...] = Field(min_length=1)
    pros: tuple[Text, ...] = Field(min_length=1)
    cons: tuple[Text, ...] = Field(min_length=1)
    evidence: tuple[Reference, ...] = Field(min_length=2, max_length=4)
    hybrid_role: Text


# --- rules ------------------------------------------------------------------


class RuleFit(Frozen):
    """How well one model fits one answer, and the plain-words reason the result quotes."""

    fit: Fit
    why: Text


Condition = dict[Id, tuple[Id, ...]]
"""Question id -> options; every question must match (AND)."""


class RedFlag(Frozen):
    """A hard constraint: shown as a concern and subtracts points, never removes the model."""

    id: Id
    model: Id
    when: tuple[Condition, ...] = Field(min_length=1)  # alternatives (OR)
    penalty: float = Field(gt=0, le=50)
    concern: Text


class HybridPart(Frozen):
    model: Id
    population: Text


class HybridTemplate(Frozen):
    """A named hybrid proposed when its condition matches the answers."""

    id: Id
    title: Text
    when: tuple[Condition, ...] = Field(min_length=1)
    parts: tuple[HybridPart, ...] = Field(min_length=2)
    rationale: Text


class TierDefinition(Frozen):
    """A risk tier: how its patients differ from the population's overall answers."""

    id: Id
    label: Text
    description: Text
    answers: dict[Id, Id]
    handover: Text


class Catalogue(Frozen):
    version: Text
    content_hash: str = ""
    questionnaire: Questionnaire
    models: tuple[Model, ...] = Field(min_length=1)
    rules: dict[Id, dict[Id, dict[Id, RuleFit]]]
    red_flags: tuple[RedFlag, ...] = ()
    hybrids: tuple[HybridTemplate, ...] = ()
    tiers: tuple[TierDefinition, ...] = ()
    outcome_priority: tuple[float, ...] = (1.0, 0.8, 0.65, 0.5, 0.4, 0.3)

    @property
    def model_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.models)

    def model(self, model_id: str) -> Model:
        return self._models_by_id[model_id]

    @cached_property
    def _models_by_id(self) -> dict[str, Model]:
        return {m.id: m for m in self.models}

    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        """Questions in questionnaire order, by id (do not modify)."""
        return {q.id: q for q in self.questionnaire.questions}

    @cached_property
    def default_weights(self) -> dict[str, float]:
        """Each question's importance when the user leaves it as it is (do not modify)."""
        return {q.id: q.importance for q in self.questionnaire.questions}

    @cached_property
    def table(self) -> FitTable:
        """The fit rules as numbers, built once per catalogue."""
        from cm_advisor.engine.table import FitTable

        return FitTable.build(self)

    @cached_property
    def batch(self) -> Batch:
        """The fit rules as arrays, for scoring many answer variants at once."""
        from cm_advisor.engine.batch import Batch

        return Batch.build(self)

    def question(self, question_id: str) -> Question:
        return self.questions_by_id[question_id]

    @model_validator(mode="after")
    def _cross_references(self) -> Catalogue:
        _unique("models", list(self.model_ids))
        models = set(self.model_ids)
        questions = {q.id: q for q in self.questionnaire.questions}
        for qid, q in questions.items():
            if qid not in self.rules:
                raise ValueError(f"rules: question '{qid}' has no rules")
            for oid in q.option_ids:
                if oid not in self.rules[qid]:
                    raise ValueError(f"rules → {qid} → {oid}: option has no rules")
        for qid, by_option in self.rules.items():
            if qid not in questions:
                raise ValueError(
                    f"rules → {qid}: unknown question (questions: {', '.join(questions)})"
                )
            for oid, by_model in by_option.items():
                allowed = questions[qid].option_ids
                if oid not in allowed:
                    raise ValueError(
                        f"rules → {qid} → {oid}: unknown option (allowed: {', '.join(allowed)})"
                    )
                _same_models(f"rules → {qid} → {oid}", set(by_model), models)
        for flag in self.red_flags:
            _known_model(f"red_flags → {flag.id} → model", flag.model, models)
            _check_conditions(f"red_flags → {flag.id} → when", flag.when, questions)
        for tier in self.tiers:
            _check_conditions(
                f"tiers → {tier.id} → answers",
                tuple({q: (o,)} for q, o in tier.answers.items()),
                questions,
            )
        _unique("tiers", [t.id for t in self.tiers])
        for hybrid in self.hybrids:
            for part in hybrid.parts:
                _known_model(f"hybrids → {hybrid.id} → parts", part.model, models)
            _check_conditions(f"hybrids → {hybrid.id} → when", hybrid.when, questions)
        return self


def _unique(what: str, ids: list[str]) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what}: duplicate id {', '.join(dupes)}")


def _known_model(where: str, model_id: str, models: set[str]) -> None:
    if model_id not in models:
        raise ValueError(
            f"{where}: unknown model '{model_id}' (models: {', '.join(sorted(models))})"
        )


def _same_models(where: str, got: set[str], models: set[str]) -> None:
    for model_id in sorted(got - models):
        _known_model(where, model_id, models)
    missing = sorted(models - got)
    if missing:
        raise ValueError(f"{where}: no rule for model {', '.join(missing)}")


def _check_conditions(
    where: str, conditions: tuple[Condition, ...], questions: dict[str, Question]
) -> None:
    for cond in conditions:
        for qid, options in cond.items():
            if qid not in questions:
                raise ValueError(f"{where}: unknown question '{qid}'")
            bad = [o for o in options if o not in questions[qid].option_ids]
            if bad:
                raise ValueError(
                    f"{where} → {qid}: unknown option '{bad[0]}' "
                    f"(allowed: {', '.join(questions[qid].option_ids)})"
                )


# --- answers and results ----------------------------------------------------

AnswerValue = str | tuple[str, ...]


class FieldError(Frozen):
    """One problem with one answer or weight, phrased for the person who gave it."""

    field: str
    message: str
    allowed: tuple[str, ...] = ()


@dataclass(slots=True)
class Contribution:
    """Points one answer (or red flag) gives one model.

    A plain dataclass, not a pydantic model: a result holds about seventy of them,
    and pydantic accepts dataclass instances inside a model as they are, so they
    cost a fifth as much to make. Treat them as read-only like everything else here.
    """

    __pydantic_config__ = ConfigDict(extra="forbid")

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
    reasons: tuple[str, ...]
    concerns: tuple[str, ...]
    behind_top: tuple[str, ...] = ()
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
                    "samples": 4000,
                    "spread": 0.5,
                    "critical_factor": {
                        "question": "budget",
                        "model": "clinical",
                        "weight_from": 1.0,
                        "weight_to": 2.4,
                        "text": "The ranking is most sensitive to budget: ...",
                    },
                    "text": "Intensive case management (ICM) ranks first in 87% of plausible ...",
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
                    "text": "If staffing were “ample” instead of “limited”, Intensive case "
                    "management (ICM) would rank first.",
                }
            ]
        },
    )

    model: str
    changes: dict[str, str]
    text: str


class Result(Frozen):
    ranking: tuple[ModelScore, ...]
    recommended: str
    confidence: Literal["high", "medium", "low"]
    confidence_reason: str
    hybrids: tuple[HybridProposal, ...]
    answers: dict[str, AnswerValue]
    weights: dict[str, float]
    unanswered: tuple[str, ...]
    robustness: Robustness | None = None
    what_if: tuple[WhatIf, ...] = ()
    population: Population | None = None
    staffing: Staffing | None = None
    catalogue_version: str
    catalogue_hash: str
    engine_version: str
