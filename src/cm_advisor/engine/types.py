"""The catalogue's types: questionnaire, models, fit rules, red flags, hybrids and tiers.

Frozen and strict (unknown keys are refused), and the only shapes the engine accepts.
Every field added since the first catalogue has a default, so the catalogue snapshots
stored beside old results still load and those results render as they did.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Fit = Annotated[int, Field(ge=-2, le=2)]
Weight = Annotated[float, Field(ge=0, le=3)]
Grade = Literal["high", "moderate", "low", "very low", "not graded"]


class Frozen(BaseModel):
    """Base for every engine type: immutable and refusing unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- questionnaire -------------------------------------------------------


class Option(Frozen):
    id: Id
    label: Text
    help: str = ""
    short: str = ""  # a word or two for sentences; the label's part before " — " when empty

    @cached_property
    def short_label(self) -> str:
        return self.short or self.label.split(" — ")[0]


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
    about: Literal["organization", "patients"] = "organization"
    """Whether the answer is something the organization decides (staff, budget, ways of
    working) or a fact about its patients and their services: "what would change the
    answer" keeps the two apart."""
    scale: Literal["ordered", "nominal"] = "ordered"
    """Ordered options run from least to most (a change of two steps is a bigger change);
    nominal ones are alternatives with no order."""
    better: Literal["up", "down"] | None = None
    """For something an organization can build up (staff, budget, training, systems): the
    direction, along the options, that it would rather move. None where neither is."""

    @cached_property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @cached_property
    def title(self) -> str:
        return self.topic or self.id.replace("_", " ").capitalize()

    @cached_property
    def _options_by_id(self) -> dict[str, Option]:
        return {o.id: o for o in self.options}

    def option(self, option_id: str) -> Option:
        return self._options_by_id[option_id]

    def position(self, option_id: str) -> int:
        """An option's place among the question's options (0 for the first)."""
        return self.option_ids.index(option_id)


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
    """A study or review, with its main result and main caveat in `finding`."""

    id: str = ""  # what fit rules and red flags cite it by
    authors: Text
    year: int = Field(ge=1950, le=2100)
    title: Text
    source: Text
    finding: Text
    grade: Grade = "not graded"  # the certainty of the evidence as the source graded it,
    grade_to: Grade | None = None  # and its upper end where the source gives a range
    url: str = ""


class EvidenceStrength(Frozen):
    """How strong the evidence for a model is: the grade its best review gave (a range
    where the review gives one), and in plain words what that grade is for."""

    grade: Grade
    grade_to: Grade | None = None
    summary: Text


class NextSteps(Frozen):
    """The first 90 days of putting a model in place."""

    roles: tuple[Text, ...] = Field(min_length=1)  # who does the work, and caseloads
    training: tuple[Text, ...] = Field(min_length=1)
    workflows: tuple[Text, ...] = Field(min_length=1)
    measures: tuple[Text, ...] = Field(min_length=1)  # what to track from the start


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
    evidence: tuple[Reference, ...] = Field(min_length=2, max_length=10)
    evidence_strength: EvidenceStrength | None = None
    hybrid_role: Text
    next_steps: NextSteps | None = None


# --- rules ------------------------------------------------------------------


class RuleFit(Frozen):
    """How well one model fits one answer, the reason the result quotes, and what it rests on."""

    fit: Fit
    why: Text
    refs: tuple[Id, ...] = ()  # ids of the references it rests on
    assumption: bool = False  # a judgement no reference tests (say so rather than cite)


Condition = dict[Id, tuple[Id, ...]]
"""Question id -> options; every question must match (AND)."""


class RedFlag(Frozen):
    """A hard constraint: shown as a concern and subtracts points, never removes the model."""

    id: Id
    model: Id
    when: tuple[Condition, ...] = Field(min_length=1)  # alternatives (OR)
    penalty: float = Field(gt=0, le=50)
    concern: Text
    refs: tuple[Id, ...] = ()
    assumption: bool = False


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
    changes: tuple[Text, ...] = ()  # what this version changed, for people reading results
    content_hash: str = ""
    questionnaire: Questionnaire
    models: tuple[Model, ...] = Field(min_length=1)
    tie_break: tuple[Id, ...] = ()
    """Every model once, least resource-intensive first: the order between models that tie
    on score and red flags. Empty (catalogues before 2026.12) means alphabetical by id."""
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
    def references(self) -> dict[str, Reference]:
        """Every reference with an id, across all models (one study may back several)."""
        return {r.id: r for m in self.models for r in m.evidence if r.id}

    @cached_property
    def tie_order(self) -> tuple[str, ...]:
        """The model ids in tie-break order (see `tie_break`)."""
        return self.tie_break or tuple(sorted(self.model_ids))

    def question(self, question_id: str) -> Question:
        return self.questions_by_id[question_id]

    @model_validator(mode="after")
    def _cross_references(self) -> Catalogue:
        _unique("models", list(self.model_ids))
        models = set(self.model_ids)
        questions = {q.id: q for q in self.questionnaire.questions}
        self._check_rules(questions, models)
        if self.tie_break and sorted(self.tie_break) != sorted(models):
            raise ValueError(
                f"tie_break: list every model exactly once (models: {', '.join(self.model_ids)})"
            )
        references = self.references
        for qid, by_option in self.rules.items():
            for oid, by_model in by_option.items():
                for mid, rule in by_model.items():
                    _known_refs(f"rules → {qid} → {oid} → {mid} → refs", rule.refs, references)
        for flag in self.red_flags:
            _known_model(f"red_flags → {flag.id} → model", flag.model, models)
            _check_conditions(f"red_flags → {flag.id} → when", flag.when, questions)
            _known_refs(f"red_flags → {flag.id} → refs", flag.refs, references)
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

    def _check_rules(self, questions: dict[str, Question], models: set[str]) -> None:
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


def _unique(what: str, ids: list[str]) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what}: duplicate id {', '.join(dupes)}")


def _known_model(where: str, model_id: str, models: set[str]) -> None:
    if model_id not in models:
        raise ValueError(
            f"{where}: unknown model '{model_id}' (models: {', '.join(sorted(models))})"
        )


def _known_refs(where: str, refs: tuple[str, ...], references: dict[str, Reference]) -> None:
    unknown = [r for r in refs if r not in references]
    if unknown:
        raise ValueError(
            f"{where}: unknown reference '{unknown[0]}' "
            f"(references: {', '.join(sorted(references)) or 'none have an id'})"
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
