"""The questionnaire form: form fields in, the engine's input or per-field errors out.

Single-choice questions are one radio group named after the question. A multi-choice
question (``outcomes``) is a set of checkboxes named after the question, each with an
optional order field ``outcomes_order_<option>`` (1 counts most): ticked options count in
the order given, then in the order listed, so nothing can be chosen twice and the form
works without JavaScript (enhance.js numbers the order as options are ticked). The older
numbered fields ``outcomes_1`` … ``outcomes_6`` of saved links and drafts are still read.
The number of patients (``population_size_number``, "12,000" welcome) is asked inside the
population question; with no size band chosen it picks the band. The advanced part adds
one ``weight_<question>`` select per question and one ``tier_<id>`` percentage per risk
tier. Validation is the engine's (`check_input`); this module only reshapes fields and
words the engine's errors for the form.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from cm_advisor.engine import (
    AnswerValue,
    Catalogue,
    FieldError,
    InvalidInput,
    Population,
    check_input,
)
from cm_advisor.limits import LABEL_MAX, NOTES_MAX
from cm_advisor.web import ranked_choice
from cm_advisor.web.ranked_choice import order_field
from cm_advisor.web.wording import weight_range

SIZE_FIELD = "population_size_number"
SIZE_QUESTION = "population_size"
# The population size bands as the questionnaire's option labels state them ("Small — under
# 2,000", "Medium — 2,000 to 20,000", "Large — over 20,000"): the largest number of
# patients each band holds. tests/test_questionnaire_form.py checks them against the labels.
SIZE_BANDS: tuple[tuple[str, float], ...] = (
    ("small", 1_999),
    ("medium", 20_000),
    ("large", math.inf),
)
TIERS_FIELD = "tiers"  # the error key of the tier group as a whole (their sum)
WEIGHT_PREFIX = "weight_"
TIER_PREFIX = "tier_"
THOUSANDS_DOTS = re.compile(r"\d{1,3}(\.\d{3})+")


@dataclass(frozen=True, slots=True)
class ParsedForm:
    """Checked input (empty when there are errors), errors by field name, and raw fields.

    `weights` holds only the weights that differ from the catalogue's default importance.
    """

    answers: dict[str, AnswerValue] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    population: Population | None = None
    label: str = ""
    notes: str = ""


def size_band(size: int) -> str:
    """The population size option a number of patients falls in."""
    return next(option for option, most in SIZE_BANDS if size <= most)


def size_band_limits() -> dict[str, str]:
    """Each band's largest number of patients for enhance.js ("" for the open-ended one)."""
    return {band: "" if math.isinf(most) else f"{most:.0f}" for band, most in SIZE_BANDS}


def first_field_id(catalogue: Catalogue, name: str) -> str:
    """The id of the control an error summary link should move focus to."""
    if name == TIERS_FIELD and catalogue.tiers:
        return TIER_PREFIX + catalogue.tiers[0].id
    if name not in catalogue.questions_by_id:
        return name  # weights, population, label and notes use their name as id
    question = catalogue.question(name)
    return f"{question.id}-{question.options[0].id}"


def field_title(catalogue: Catalogue, name: str) -> str:
    """What the error summary calls a field."""
    if name in catalogue.questions_by_id:
        return catalogue.question(name).title
    weighted = name.removeprefix(WEIGHT_PREFIX)
    if weighted != name and weighted in catalogue.questions_by_id:
        return f"Importance of {catalogue.question(weighted).title.lower()}"
    tier = {TIER_PREFIX + t.id: t.label for t in catalogue.tiers}.get(name)
    if tier:
        return tier
    return {SIZE_FIELD: "Number of patients", TIERS_FIELD: "Risk tiers"}.get(
        name, name.replace("_", " ").capitalize()
    )


def parse_answers(catalogue: Catalogue, form: Mapping[str, object]) -> ParsedForm:
    """Reshape form fields into engine input and let the engine check it; ignore unknown fields."""
    kept: dict[str, str] = {}
    errors: dict[str, str] = {}
    answers = _answers(catalogue, form, kept, errors)
    weights = _weights(catalogue, form, kept, errors)
    population = _population(catalogue, form, kept, errors)
    _size_from_number(catalogue, answers, population, kept, errors)
    try:
        checked = check_input(catalogue, answers, weights, population)
    except InvalidInput as exc:
        for error in exc.errors:
            name, message = _form_error(error, kept, population)
            errors.setdefault(name, message)
    label, notes = meta_fields(form, kept, errors)
    if errors:
        return ParsedForm(errors=_in_form_order(catalogue, errors), kept=kept)
    return ParsedForm(
        answers=checked.answers,
        kept=kept,
        weights=weights,
        population=checked.population,
        label=label,
        notes=notes,
    )


def _answers(
    catalogue: Catalogue, form: Mapping[str, object], kept: dict[str, str], errors: dict[str, str]
) -> dict[str, object]:
    answers: dict[str, object] = {}
    for question in catalogue.questionnaire.questions:
        if question.kind == "multi":
            picked = ranked_choice.parse(question, form, kept, errors)
            if picked:
                answers[question.id] = picked
        else:
            value = _text(form.get(question.id))
            kept[question.id] = value
            if value:
                answers[question.id] = value
    return answers


def _size_from_number(
    catalogue: Catalogue,
    answers: dict[str, object],
    population: Mapping[str, object] | None,
    kept: dict[str, str],
    errors: dict[str, str],
) -> None:
    """Asked once: a number of patients with no size band chosen picks the band; one that
    falls in another band than the one chosen is an error beside the question."""
    question = catalogue.questions_by_id.get(SIZE_QUESTION)
    size = population.get("size") if population else None
    if question is None or not isinstance(size, int) or size < 1:
        return
    if {band for band, _ in SIZE_BANDS} - set(question.option_ids):
        return  # an edited questionnaire with other bands: the number picks none
    band = size_band(size)
    given = answers.get(SIZE_QUESTION)
    if not given:
        answers[SIZE_QUESTION] = kept[SIZE_QUESTION] = band
    elif given != band and given in question.option_ids:
        label = question.option(band).label
        errors[SIZE_QUESTION] = (
            f"{size:,} patients is “{label}”: choose that size, or correct the number."
        )


def _weights(
    catalogue: Catalogue, form: Mapping[str, object], kept: dict[str, str], errors: dict[str, str]
) -> dict[str, float]:
    """The weights that differ from the catalogue's default; a blank select means the default."""
    weights: dict[str, float] = {}
    for question in catalogue.questionnaire.questions:
        name = WEIGHT_PREFIX + question.id
        raw = _text(form.get(name))
        value = _number(raw)
        kept[name] = raw if value is None else f"{value:g}"
        if raw and value is None:
            errors[name] = _weight_message(raw)
        elif value is not None and value != question.importance:
            weights[question.id] = value
    return weights


def _population(
    catalogue: Catalogue, form: Mapping[str, object], kept: dict[str, str], errors: dict[str, str]
) -> dict[str, object] | None:
    """Patients and tier percentages, or None when the section was left blank or is unreadable."""
    size_raw = kept[SIZE_FIELD] = _text(form.get(SIZE_FIELD))
    tiers: dict[str, float] = {}
    given = False
    for tier in catalogue.tiers:
        name = TIER_PREFIX + tier.id
        raw = kept[name] = _text(form.get(name))
        share = _number(raw.removesuffix("%"))
        given = given or bool(raw)
        if raw and share is None:
            errors[name] = "Enter a percentage from 0 to 100, for example 20."
        elif share is not None:
            tiers[tier.id] = share
    size = _whole(size_raw)
    if size_raw and size is None:
        errors[SIZE_FIELD] = "Enter the number of patients as a whole number, for example 12,000."
    elif not size_raw and given:
        errors[SIZE_FIELD] = "Enter the number of patients, so the risk tiers can be sized."
    if size is None or any(k == SIZE_FIELD or k.startswith(TIER_PREFIX) for k in errors):
        return None
    return {"size": size, "tiers": tiers}


def _form_error(
    error: FieldError, kept: Mapping[str, str], population: Mapping[str, object] | None
) -> tuple[str, str]:
    """An engine error as (form field, message for the person who filled the form in)."""
    where, _, rest = error.field.partition(".")
    if where == "weights":
        name = WEIGHT_PREFIX + rest
        return name, _weight_message(kept.get(name, ""))
    if where == "population" and rest == "tiers":
        shares = population.get("tiers", {}) if population else {}
        total = sum(shares.values()) if isinstance(shares, dict) else 0
        return TIERS_FIELD, (f"The tier percentages must add up to 100; they add up to {total:g}.")
    if where == "population" and rest.startswith("tiers."):
        return TIER_PREFIX + rest.removeprefix("tiers."), "Enter a percentage from 0 to 100."
    if where == "population":
        return SIZE_FIELD, _sentence("the number of patients " + _lower(error.message))
    return rest or error.field, _sentence(error.message)


def _weight_message(raw: str) -> str:
    return f"“{raw[:20]}” is not a level: choose from {weight_range()}."


def meta_fields(
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


def to_fields(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float] | None = None,
    population: Population | None = None,
) -> dict[str, str]:
    """The inverse of parse_answers: the form fields that reproduce this input."""
    fields: dict[str, str] = {}
    for question in catalogue.questionnaire.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if isinstance(answer, str):
            fields[question.id] = answer
        else:
            fields[question.id] = ",".join(answer)
            for place, option in enumerate(answer, start=1):
                fields[order_field(question, option)] = str(place)
    for question in catalogue.questionnaire.questions:
        weight = (weights or {}).get(question.id, question.importance)
        if weight != question.importance:
            fields[WEIGHT_PREFIX + question.id] = f"{weight:g}"
    if population is not None:
        fields[SIZE_FIELD] = str(population.size)
        fields.update({TIER_PREFIX + t: f"{s:g}" for t, s in population.tiers.items()})
    return fields


def query_string(
    catalogue: Catalogue,
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float] | None = None,
    population: Population | None = None,
) -> str:
    """The input as a query string, so "change your answers" links reopen a filled-in form."""
    return urlencode(to_fields(catalogue, answers, weights, population))


def _text(value: object) -> str:
    """A form value as text: missing fields and uploaded files count as no answer."""
    return value.strip() if isinstance(value, str) else ""


def _number(text: str) -> float | None:
    """A decimal number, or None; range checks are the engine's."""
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _whole(text: str) -> int | None:
    """A whole number written plainly or with thousands separators: "12,000", "12 000",
    "12'000", or "12.000" (dots between groups of three digits only)."""
    plain = "".join(c for c in text if c not in ",'_ \u00a0\u202f")
    if THOUSANDS_DOTS.fullmatch(plain):
        plain = plain.replace(".", "")
    value = _number(plain)
    return int(value) if value is not None and math.isfinite(value) and value.is_integer() else None


def _lower(message: str) -> str:
    return message.removeprefix("Input ")[:1].lower() + message.removeprefix("Input ")[1:]


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _in_form_order(catalogue: Catalogue, errors: dict[str, str]) -> dict[str, str]:
    """Errors in the order their fields appear: questions, priorities, population, the rest."""
    questions = [q.id for q in catalogue.questionnaire.questions]
    order = [
        *questions,
        *(WEIGHT_PREFIX + q for q in questions),
        SIZE_FIELD,
        TIERS_FIELD,
        *(TIER_PREFIX + t.id for t in catalogue.tiers),
    ]

    def position(item: tuple[str, str]) -> int:
        return order.index(item[0]) if item[0] in order else len(order)

    return dict(sorted(errors.items(), key=position))
