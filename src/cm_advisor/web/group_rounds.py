"""What the group pages and the group API share: a round's status, the closing date, a
respondent's checked answers as stored, closing, and the view of a round (live while it
is open, the stored result once closed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from cm_advisor.engine import AnswerValue, Catalogue, FieldError, Population
from cm_advisor.limits import LABEL_MAX
from cm_advisor.storage import Round, Store
from cm_advisor.storage.assessments import clean
from cm_advisor.storage.group_store import Closing
from cm_advisor.storage.groups import Given, Response
from cm_advisor.web import group_view
from cm_advisor.web.group_view import GroupView

Status = Literal["open", "closing_date_passed", "closed"]
CLOSING_YEARS = 10
STATUS_WORDS: dict[Status, str] = {
    "open": "Open: taking responses",
    "closing_date_passed": "Its closing date has passed: no more responses or edits",
    "closed": "Closed",
}


def status(found: Round) -> Status:
    if found.closed_at is not None:
        return "closed"
    return "closing_date_passed" if found.past_closing() else "open"


def closes_at(day: date | None) -> datetime | None:
    """A round with a closing date takes responses through the whole of that day (UTC)."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def closing_day(found: Round) -> date | None:
    """The closing date as the lead gave it (the last day responses are taken)."""
    return None if found.closes_at is None else (found.closes_at - timedelta(days=1)).date()


def closing_date_error(day: date | None, today: date | None = None) -> FieldError | None:
    """A closing date is today or later, and within CLOSING_YEARS."""
    today = today or datetime.now(UTC).date()
    if day is not None and day < today:
        return FieldError(field="closes_on", message="the closing date is in the past")
    if day is not None and day > today + timedelta(days=365 * CLOSING_YEARS):
        return FieldError(
            field="closes_on", message=f"the closing date is more than {CLOSING_YEARS} years away"
        )
    return None


def label_error(label: str) -> FieldError | None:
    """A round needs a label with something in it besides spaces and control characters."""
    if clean(label, LABEL_MAX) is None:
        return FieldError(field="label", message="the label is empty")
    return None


def role_error(found: Round, role: str) -> FieldError | None:
    """A role must be one of the round's, or none."""
    if not role or role in found.roles:
        return None
    if not found.roles:
        return FieldError(field="role", message="this round lists no roles: leave it out")
    return FieldError(field="role", message="not one of this round's roles", allowed=found.roles)


def given(
    answers: Mapping[str, AnswerValue],
    weights: Mapping[str, float],
    population: Population | Mapping[str, Any] | None,
    role: str,
    initials: str,
) -> Given:
    """What is stored of a response: checked answers, the weights that were given, the
    population, role and initials."""
    kept = population.model_dump() if isinstance(population, Population) else population
    return Given(
        answers=dict(answers),
        weights=dict(weights),
        population=dict(kept) if kept else None,
        role=role,
        initials=initials,
    )


@dataclass(frozen=True, slots=True)
class RoundView:
    """A round as its lead sees it: the round, its responses, and the group view (None
    while nobody has answered)."""

    round: Round
    responses: list[Response]
    view: GroupView | None
    frozen: bool  # the stored group result, not worked out from the responses again


def lead_view(store: Store, catalogue: Catalogue, found: Round) -> RoundView:
    responses = store.groups.responses(found)
    if found.result_token is not None:
        stored = stored_view(store, found.result_token)
        if stored is not None:
            return RoundView(found, responses, stored[0], frozen=True)
    view = group_view.build(catalogue, responses) if responses else None
    return RoundView(found, responses, view, frozen=False)


def stored_view(store: Store, token: str) -> tuple[GroupView, Catalogue] | None:
    """A stored group result and the catalogue snapshot it was computed with."""
    parts = store.groups.result(token)
    saved = store.get(token) if parts is not None else None
    if parts is None or saved is None:
        return None
    scored_with = store.catalogue(saved.catalogue_hash)
    if scored_with is None:
        return None
    return GroupView.stored(parts.analysis, saved.result), scored_with


def close(store: Store, catalogue: Catalogue, found: Round) -> str:
    """Freeze the round and store its group result; its share token."""

    def build(closing: Round, responses: Sequence[Response]) -> Closing:
        view = group_view.build(catalogue, responses)
        return Closing(view.result, view.parts_json, view.respondents, _notes(view))

    return store.groups.close(found, build)


def _notes(view: GroupView) -> str:
    by_role = roles_count([m.role for m in view.members])
    counted = ", ".join(f"{role or 'no role given'}: {n}" for role, n in by_role)
    return f"Group result of {view.respondents} responses ({counted})."


def roles_count(roles: Sequence[str], order: Sequence[str] = ()) -> list[tuple[str, int]]:
    """(role, how many) in the round's order, then any others, then "" (no role given)."""
    counts: dict[str, int] = dict.fromkeys(order, 0)
    for role in roles:
        counts[role] = counts.get(role, 0) + 1
    named = [(r, n) for r, n in counts.items() if r]
    return named + ([("", counts[""])] if counts.get("") else [])
