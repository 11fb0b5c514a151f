"""Turn loosely typed answers and weights into checked ones, or name every problem.

One validator serves the JSON API, the HTML form and the CLI, so all three
refuse the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from cm_advisor.engine.results import AnswerValue, FieldError, Population
from cm_advisor.engine.types import Catalogue, Question
from cm_advisor.engine.wording import WEIGHT_HELP

__all__ = ["WEIGHT_HELP", "CheckedInput", "InvalidInput", "check_input"]


class InvalidInput(ValueError):
    """Raised with every problem found, not just the first."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


TIER_TOTAL = 100.0


@dataclass(frozen=True, slots=True)
class CheckedInput:
    answers: dict[str, AnswerValue]
    weights: dict[str, float]
    population: Population | None = None


def check_input(
    catalogue: Catalogue,
    answers: Mapping[str, object],
    weights: Mapping[str, object] | None = None,
    population: Mapping[str, object] | Population | None = None,
) -> CheckedInput:
    """Validate answers, weights and population together; raise InvalidInput listing all."""
    errors: list[FieldError] = []
    checked = _check_answers(catalogue, answers, errors)
    checked_weights = _check_weights(catalogue, weights or {}, errors)
    checked_population = _check_population(catalogue, population, errors)
    if errors:
        raise InvalidInput(errors)
    return CheckedInput(checked, checked_weights, checked_population)


def _check_population(
    catalogue: Catalogue,
    population: Mapping[str, object] | Population | None,
    errors: list[FieldError],
) -> Population | None:
    if population is None:
        return None
    try:
        checked = (
            population
            if isinstance(population, Population)
            else Population.model_validate(population)
        )
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(["population", *(str(p) for p in err["loc"])])
            errors.append(FieldError(field=field, message=err["msg"]))
        return None
    tiers = tuple(t.id for t in catalogue.tiers)
    problems = len(errors)
    for tier, share in checked.tiers.items():
        if tier not in tiers:
            errors.append(
                FieldError(field=f"population.tiers.{tier}", message="unknown tier", allowed=tiers)
            )
        elif not 0 <= share <= TIER_TOTAL or share != share:
            errors.append(
                FieldError(
                    field=f"population.tiers.{tier}", message="expected a percentage, 0 to 100"
                )
            )
    total = sum(checked.tiers.values())
    if len(errors) == problems and checked.tiers and abs(total - TIER_TOTAL) > 0.01:
        errors.append(
            FieldError(
                field="population.tiers",
                message=f"the tier percentages must add up to 100 (they add up to {total:g})",
                allowed=tiers,
            )
        )
    return checked


def _check_answers(
    catalogue: Catalogue, answers: Mapping[str, object], errors: list[FieldError]
) -> dict[str, AnswerValue]:
    questions = catalogue.questions_by_id
    checked: dict[str, AnswerValue] = {}
    for qid, value in answers.items():
        question = questions.get(qid)
        if question is None:
            errors.append(
                FieldError(
                    field=f"answers.{qid}",
                    message=f"unknown question '{qid}'",
                    allowed=tuple(questions),
                )
            )
            continue
        if value is None or value == "" or value == [] or value == ():
            continue
        answer = (
            _check_multi(question, value, errors)
            if question.kind == "multi"
            else _check_single(question, value, errors)
        )
        if answer is not None:
            checked[qid] = answer
    # Keep the questionnaire's order so results read the same however the input was ordered.
    return {q: checked[q] for q in questions if q in checked}


def _check_single(question: Question, value: object, errors: list[FieldError]) -> str | None:
    if isinstance(value, str) and value in question.option_ids:
        return value
    shown = repr(value) if not isinstance(value, str) else f"'{value}'"
    errors.append(
        FieldError(
            field=f"answers.{question.id}",
            message=f"{shown[:60]} is not one of the options",
            allowed=question.option_ids,
        )
    )
    return None


def _check_multi(
    question: Question, value: object, errors: list[FieldError]
) -> tuple[str, ...] | None:
    field = f"answers.{question.id}"
    allowed = question.option_ids
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
        errors.append(
            FieldError(field=field, message="expected a list of options", allowed=allowed)
        )
        return None
    unknown = [v for v in items if v not in allowed]
    limit = question.max_choices or len(allowed)
    if unknown:
        message = f"'{unknown[0][:40]}' is not one of the options"
    elif len(set(items)) != len(items):
        message = "each option may be chosen only once"
    elif len(items) > limit:
        message = f"choose at most {limit}"
    else:
        return tuple(items)
    errors.append(FieldError(field=field, message=message, allowed=allowed))
    return None


def _check_weights(
    catalogue: Catalogue, weights: Mapping[str, object], errors: list[FieldError]
) -> dict[str, float]:
    questions = catalogue.questions_by_id
    checked = dict(catalogue.default_weights)
    for qid, value in weights.items():
        if qid not in questions:
            errors.append(
                FieldError(
                    field=f"weights.{qid}",
                    message=f"unknown question '{qid}'",
                    allowed=tuple(questions),
                )
            )
        elif (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 <= value <= 3
            or value != value  # NaN
        ):
            errors.append(FieldError(field=f"weights.{qid}", message=f"expected {WEIGHT_HELP}"))
        else:
            checked[qid] = float(value)
    return checked
