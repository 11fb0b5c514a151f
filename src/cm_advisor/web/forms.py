"""The questionnaire form: form fields in, the engine's answers or per-question errors out.

Single-choice questions are one radio group named after the question. A
multi-choice question (``outcomes``) is a row of numbered selects
``outcomes_1`` … ``outcomes_6`` so priority order works without JavaScript.
Validation is the engine's (`check_input`); this module only reshapes fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from cm_advisor.engine import AnswerValue, Catalogue, InvalidInput, Question, check_input
from cm_advisor.engine.types import Population

ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th")


LABEL_MAX = 200
NOTES_MAX = 5000


@dataclass(frozen=True, slots=True)
class ParsedForm:
    """Checked input (empty when there are errors), errors by field name, and raw fields."""

    answers: dict[str, AnswerValue] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    population: Population | None = None
    label: str = ""
    notes: str = ""


def slots(question: Question) -> tuple[str, ...]:
    """The field names of a multi-choice question's priority selects, first priority first."""
    count = min(question.max_choices or len(question.options), len(question.options))
    return tuple(f"{question.id}_{i}" for i in range(1, count + 1))


def ordinal(position: int) -> str:
    return ORDINALS[position - 1] if position <= len(ORDINALS) else f"{position}th"


def first_field_id(catalogue: Catalogue, name: str) -> str:
    """The id of the control an error summary link should move focus to."""
    if name not in catalogue.table.questions:
        return name  # label, notes and other single inputs use their name as id
    question = catalogue.question(name)
    if question.kind == "multi":
        return slots(question)[0]
    return f"{question.id}-{question.options[0].id}"


def field_title(catalogue: Catalogue, name: str) -> str:
    """What the error summary calls a field."""
    if name in catalogue.table.questions:
        return catalogue.question(name).title
    return name.replace("_", " ").capitalize()


def parse_answers(catalogue: Catalogue, form: Mapping[str, object]) -> ParsedForm:
    """Reshape form fields into answers and let the engine check them; ignore unknown fields."""
    kept: dict[str, str] = {}
    answers: dict[str, object] = {}
    errors: dict[str, str] = {}
    for question in catalogue.questionnaire.questions:
        if question.kind == "multi":
            chosen = []
            for name in slots(question):
                value = _text(form.get(name))
                kept[name] = value
                if value:
                    chosen.append(value)
            if len(set(chosen)) != len(chosen):
                noun = question.title.lower().removesuffix("s") or "option"
                errors[question.id] = f"Choose each {noun} only once."
            elif chosen:
                answers[question.id] = chosen
        else:
            value = _text(form.get(question.id))
            kept[question.id] = value
            if value:
                answers[question.id] = value
    try:
        checked = check_input(catalogue, answers)
    except InvalidInput as exc:
        for error in exc.errors:
            qid = error.field.removeprefix("answers.")
            errors.setdefault(qid, _sentence(error.message))
    label, notes = _meta(form, kept, errors)
    if errors:
        return ParsedForm(errors=_in_questionnaire_order(catalogue, errors), kept=kept)
    return ParsedForm(answers=checked.answers, kept=kept, label=label, notes=notes)


def _meta(
    form: Mapping[str, object], kept: dict[str, str], errors: dict[str, str]
) -> tuple[str, str]:
    """The optional label (client or organization) and notes kept with a saved result."""
    label, notes = _text(form.get("label")), _text(form.get("notes"))
    kept["label"], kept["notes"] = label, notes
    if len(label) > LABEL_MAX:
        errors["label"] = f"Keep the label under {LABEL_MAX} characters (it has {len(label)})."
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"Keep the notes under {NOTES_MAX} characters (they have {len(notes)})."
    return label, notes


def to_fields(catalogue: Catalogue, answers: Mapping[str, AnswerValue]) -> dict[str, str]:
    """The inverse of parse_answers: the form fields that reproduce these answers."""
    fields: dict[str, str] = {}
    for question in catalogue.questionnaire.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if isinstance(answer, str):
            fields[question.id] = answer
        else:
            fields.update(zip(slots(question), answer, strict=False))
    return fields


def query_string(catalogue: Catalogue, answers: Mapping[str, AnswerValue]) -> str:
    """Answers as a query string, so "change your answers" links reopen a filled-in form."""
    return urlencode(to_fields(catalogue, answers))


def _text(value: object) -> str:
    """A form value as text: missing fields and uploaded files count as no answer."""
    return value.strip() if isinstance(value, str) else ""


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _in_questionnaire_order(catalogue: Catalogue, errors: dict[str, str]) -> dict[str, str]:
    order = [q.id for q in catalogue.questionnaire.questions]

    def position(item: tuple[str, str]) -> int:
        return order.index(item[0]) if item[0] in order else len(order)

    return dict(sorted(errors.items(), key=position))
