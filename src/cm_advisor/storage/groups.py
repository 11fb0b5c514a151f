"""Group rounds and their responses: each read and write defined once, on a connection.

A round is found by its invitation token; the lead key and every response's edit key are
stored only as SHA-256 hashes and compared in constant time. Every write to a round's
responses, and closing it, first updates the round's own row: on PostgreSQL that takes the
row's lock, on SQLite the write lock, so a response either commits before the round
closes (and is in the group result) or finds it closed.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from cm_advisor.engine import AnswerValue
from cm_advisor.limits import INITIALS_MAX, LABEL_MAX, RESPONSES_MAX, ROLE_MAX
from cm_advisor.storage.assessments import clean, hash_key
from cm_advisor.storage.tables import group_responses, group_results, group_rounds

TOKEN_BYTES = 24  # 192 bits, URL-safe: 32 characters
KEY_BYTES = 32


class RoundClosed(RuntimeError):
    """The round no longer takes responses or edits; nothing was changed."""


class RoundFull(RuntimeError):
    """The round already holds as many responses as one round may."""


class NoResponses(RuntimeError):
    """A round nobody answered cannot be closed: there is no group result to store."""


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    token: str
    label: str
    roles: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    closes_at: datetime | None  # responses are taken until then (exclusive)
    closed_at: datetime | None
    result_token: str | None  # the group result stored at closing (None if deleted since)
    previous_token: str | None

    def is_open(self, now: datetime | None = None) -> bool:
        """Taking responses and edits: not closed, and its closing time not reached."""
        return self.closed_at is None and not self.past_closing(now)

    def past_closing(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and (now or datetime.now(UTC)) >= self.closes_at


@dataclass(frozen=True, slots=True)
class Response:
    token: str
    round_id: int
    role: str
    initials: str
    created_at: datetime
    updated_at: datetime
    answers: dict[str, AnswerValue]
    weights: dict[str, float]
    population: dict[str, Any] | None
    editable: bool  # False when carried over from an earlier round: it has no edit link


@dataclass(frozen=True, slots=True)
class Given:
    """What a respondent submits: checked answers, the weights given, the population."""

    answers: dict[str, AnswerValue]
    weights: dict[str, float]
    population: dict[str, Any] | None
    role: str = ""
    initials: str = ""


@dataclass(frozen=True, slots=True)
class GroupResult:
    """The group parts of a stored group result; its Result is the assessment's."""

    token: str
    created_at: datetime
    respondents: int
    analysis: str  # JSON


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _matches(stored: str | None, key: str) -> bool:
    return stored is not None and hmac.compare_digest(stored.encode(), hash_key(key).encode())


# --- rounds ----------------------------------------------------------------------------


def insert_round(
    conn: Connection,
    label: str,
    roles: Sequence[str],
    closes_at: datetime | None,
    previous_token: str | None = None,
) -> tuple[Round, str]:
    """A new round and its lead key (stored only as a hash)."""
    key = secrets.token_urlsafe(KEY_BYTES)
    created = now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    conn.execute(
        insert(group_rounds).values(
            token=token,
            lead_key_hash=hash_key(key),
            created_at=created,
            updated_at=created,
            label=clean(label, LABEL_MAX) or "",
            roles=json.dumps(clean_roles(roles), ensure_ascii=False),
            closes_at=closes_at,
            previous_token=previous_token,
        )
    )
    found = find_round(conn, token)
    assert found is not None
    return found, key


def clean_roles(roles: Sequence[str]) -> list[str]:
    """Role names as stored: cleaned, within limits, each once, in the lead's order."""
    kept = (clean(r, ROLE_MAX) for r in roles)
    return list(dict.fromkeys(r for r in kept if r))


def find_round(conn: Connection, token: str) -> Round | None:
    row = conn.execute(select(group_rounds).where(group_rounds.c.token == token)).first()
    return None if row is None else _round(row)


def lead_key_matches(conn: Connection, token: str, key: str) -> bool:
    stored = conn.execute(
        select(group_rounds.c.lead_key_hash).where(group_rounds.c.token == token)
    ).scalar()
    return _matches(stored, key)


def _round(row: Row[Any]) -> Round:
    return Round(
        id=row.id,
        token=row.token,
        label=row.label,
        roles=tuple(json.loads(row.roles)),
        created_at=_utc(row.created_at) or row.created_at,
        updated_at=_utc(row.updated_at) or row.updated_at,
        closes_at=_utc(row.closes_at),
        closed_at=_utc(row.closed_at),
        result_token=row.result_token,
        previous_token=row.previous_token,
    )


def claim_open(conn: Connection, round_id: int, moment: datetime) -> None:
    """Lock the round's row for this transaction if it still takes responses, or raise
    RoundClosed. The first statement of every response write (see the module docstring)."""
    claimed = conn.execute(
        update(group_rounds)
        .where(
            group_rounds.c.id == round_id,
            group_rounds.c.closed_at.is_(None),
            (group_rounds.c.closes_at.is_(None)) | (group_rounds.c.closes_at > moment),
        )
        .values(updated_at=moment)
    ).rowcount
    if claimed != 1:
        raise RoundClosed("this round is closed: it takes no more responses or edits")


def mark_closed(conn: Connection, round_id: int, moment: datetime) -> None:
    """The first statement of closing: only one closing can win."""
    closed = conn.execute(
        update(group_rounds)
        .where(group_rounds.c.id == round_id, group_rounds.c.closed_at.is_(None))
        .values(closed_at=moment, updated_at=moment)
    ).rowcount
    if closed != 1:
        raise RoundClosed("this round is already closed")


def set_result(conn: Connection, round_id: int, result_token: str) -> None:
    conn.execute(
        update(group_rounds).where(group_rounds.c.id == round_id).values(result_token=result_token)
    )


def remove_round(conn: Connection, round_id: int) -> None:
    """The round and its responses (the database cascades too); a stored group result,
    which may have been shared, stays."""
    conn.execute(delete(group_responses).where(group_responses.c.round_id == round_id))
    conn.execute(delete(group_rounds).where(group_rounds.c.id == round_id))


# --- responses -------------------------------------------------------------------------


def insert_response(
    conn: Connection, round_id: int, given: Given, moment: datetime, editable: bool = True
) -> tuple[Response, str]:
    """A response and its edit key (stored only as a hash; none when not editable)."""
    count = conn.execute(
        select(func.count())
        .select_from(group_responses)
        .where(group_responses.c.round_id == round_id)
    ).scalar_one()
    if count >= RESPONSES_MAX:
        raise RoundFull(f"this round already holds {RESPONSES_MAX} responses, the most it takes")
    key = secrets.token_urlsafe(KEY_BYTES) if editable else ""
    values = {
        "round_id": round_id,
        "token": secrets.token_urlsafe(TOKEN_BYTES),
        "key_hash": hash_key(key) if editable else None,
        "created_at": moment,
        **_given(given, moment),
    }
    conn.execute(insert(group_responses).values(values))
    found = find_response(conn, values["token"])
    assert found is not None
    return found, key


def update_response(conn: Connection, token: str, given: Given, moment: datetime) -> None:
    conn.execute(
        update(group_responses)
        .where(group_responses.c.token == token)
        .values(_given(given, moment))
    )


def _given(given: Given, moment: datetime) -> dict[str, Any]:
    return {
        "updated_at": moment,
        "role": clean(given.role, ROLE_MAX),
        "initials": clean(given.initials, INITIALS_MAX),
        "answers": json.dumps(given.answers),
        "weights": json.dumps(given.weights),
        "population": None if given.population is None else json.dumps(given.population),
    }


def find_response(conn: Connection, token: str) -> Response | None:
    row = conn.execute(select(group_responses).where(group_responses.c.token == token)).first()
    return None if row is None else _response(row)


def response_key_matches(conn: Connection, token: str, key: str) -> bool:
    stored = conn.execute(
        select(group_responses.c.key_hash).where(group_responses.c.token == token)
    ).scalar()
    return _matches(stored, key)


def round_responses(conn: Connection, round_id: int) -> list[Response]:
    """Every response of a round, in the order they first came in."""
    rows = conn.execute(
        select(group_responses)
        .where(group_responses.c.round_id == round_id)
        .order_by(group_responses.c.id)
    )
    return [_response(row) for row in rows]


def _response(row: Row[Any]) -> Response:
    return Response(
        token=row.token,
        round_id=row.round_id,
        role=row.role or "",
        initials=row.initials or "",
        created_at=_utc(row.created_at) or row.created_at,
        updated_at=_utc(row.updated_at) or row.updated_at,
        answers=json.loads(row.answers),
        weights=json.loads(row.weights),
        population=None if row.population is None else json.loads(row.population),
        editable=row.key_hash is not None,
    )


def as_given(response: Response) -> Given:
    return Given(
        response.answers, response.weights, response.population, response.role, response.initials
    )


# --- group results ---------------------------------------------------------------------


def insert_group_result(
    conn: Connection, token: str, respondents: int, analysis: str, moment: datetime
) -> None:
    conn.execute(
        insert(group_results).values(
            token=token, created_at=moment, respondents=respondents, analysis=analysis
        )
    )


def find_group_result(conn: Connection, token: str) -> GroupResult | None:
    row = conn.execute(select(group_results).where(group_results.c.token == token)).first()
    if row is None:
        return None
    return GroupResult(
        row.token, _utc(row.created_at) or row.created_at, row.respondents, row.analysis
    )
