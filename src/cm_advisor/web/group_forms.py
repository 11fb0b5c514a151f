"""The group forms: a new round (label, roles, closing date) and who is answering (role
and initials) in, checked values or per-field errors out. The questionnaire's own fields
are forms.py's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cm_advisor.limits import INITIALS_MAX, LABEL_MAX, ROLE_MAX, ROLES_MAX
from cm_advisor.storage import Round
from cm_advisor.web import group_rounds

ROUND_FIELDS = ("label", "roles", "closes_on")


@dataclass(frozen=True, slots=True)
class RoundForm:
    label: str = ""
    roles: tuple[str, ...] = ()
    closes_on: date | None = None
    carry_over: bool = False
    kept: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def parse_round(form: Mapping[str, object]) -> RoundForm:
    """A round's label (required), roles (one per line) and closing date (YYYY-MM-DD)."""
    kept = {name: _text(form.get(name)) for name in ROUND_FIELDS}
    errors: dict[str, str] = {}
    label = kept["label"]
    if group_rounds.label_error(label) is not None:
        errors["label"] = "Give the round a label, for example “Riverside Health: our model”."
    elif len(label) > LABEL_MAX:
        errors["label"] = f"Keep the label under {LABEL_MAX} characters (it has {len(label)})."
    roles = tuple(dict.fromkeys(r.strip() for r in kept["roles"].splitlines() if r.strip()))
    if len(roles) > ROLES_MAX:
        errors["roles"] = f"List at most {ROLES_MAX} roles (there are {len(roles)})."
    elif any(len(r) > ROLE_MAX for r in roles):
        errors["roles"] = f"Keep each role under {ROLE_MAX} characters."
    closes_on = _date(kept["closes_on"])
    if kept["closes_on"] and closes_on is None:
        errors["closes_on"] = "Enter the closing date as year-month-day, for example 2027-01-31."
    elif (problem := group_rounds.closing_date_error(closes_on)) is not None:
        errors["closes_on"] = f"{problem.message.capitalize()}: choose a day from today on."
    carry_over = form.get("carry_over") == "yes"
    if carry_over:
        kept["carry_over"] = "yes"
    return RoundForm(label, roles, closes_on, carry_over, kept, errors)


def round_fields(found: Round) -> dict[str, str]:
    """A round's values as the form's fields, to start a new round from it."""
    day = group_rounds.closing_day(found)
    return {
        "label": found.label,
        "roles": "\n".join(found.roles),
        "closes_on": "",  # a new round needs a new date: the old one has usually passed
        "carry_over": "yes",
        **({"old_closes_on": day.isoformat()} if day else {}),
    }


def respondent_fields(
    form: Mapping[str, object], found: Round, kept: dict[str, str], errors: dict[str, str]
) -> tuple[str, str]:
    """The respondent's role (one of the round's, or none) and initials."""
    role, initials = _text(form.get("role")), _text(form.get("initials"))
    kept["role"], kept["initials"] = role, initials
    if group_rounds.role_error(found, role) is not None:
        errors["role"] = "Choose one of the roles in the list, or “I would rather not say”."
    if len(initials) > INITIALS_MAX:
        errors["initials"] = f"Keep your initials to {INITIALS_MAX} characters or fewer."
    return role, initials


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
