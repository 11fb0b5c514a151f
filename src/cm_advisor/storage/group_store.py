"""Group rounds through the store: `store.groups`. Every call is bounded and behind the
store's breaker like the rest (Store.reading and Store.writing); the SQL is in groups.py.

Closing stores the group result as an assessment, exactly like a single result, whose
manage key is the round's lead key (the same hash), so the lead can delete it too; the
group's own parts (answers by role, agreement, consensus) go beside it in group_results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from cm_advisor.engine import Result
from cm_advisor.storage import assessments, groups
from cm_advisor.storage.assessments import WrongKey, well_formed
from cm_advisor.storage.groups import (
    Given,
    GroupResult,
    NoResponses,
    Response,
    Round,
    RoundClosed,
)
from cm_advisor.storage.tables import group_rounds

if TYPE_CHECKING:
    from cm_advisor.storage.repository import Store


@dataclass(frozen=True, slots=True)
class CreatedRound:
    round: Round
    lead_key: str  # shown once: only its hash is stored


@dataclass(frozen=True, slots=True)
class CreatedResponse:
    response: Response
    key: str  # the private edit key, shown once


@dataclass(frozen=True, slots=True)
class Closing:
    """What closing stores, worked out from the responses inside the closing transaction."""

    result: Result
    analysis: str  # JSON of the group's own parts, without initials
    respondents: int
    notes: str = ""


Build = Callable[[Round, Sequence[Response]], Closing]


class Groups:
    def __init__(self, store: Store) -> None:
        self._store = store

    # --- rounds ----------------------------------------------------------------

    def create(self, label: str, roles: Sequence[str], closes_at: datetime | None) -> CreatedRound:
        with self._store.writing() as conn:
            found, key = groups.insert_round(conn, label, roles, closes_at)
        return CreatedRound(found, key)

    def get(self, token: str) -> Round | None:
        """The round this invitation opens, or None."""
        if not well_formed(token):
            return None
        with self._store.reading() as conn:
            return groups.find_round(conn, token)

    def lead(self, token: str, key: str) -> Round | None:
        """The round, when the lead key opens it; None for an unknown round; WrongKey."""
        if not well_formed(token):
            return None
        with self._store.reading() as conn:
            found = groups.find_round(conn, token)
            matches = well_formed(key) and groups.lead_key_matches(conn, token, key)
        # Raised outside the reading: WrongKey is an OSError, which the breaker would count.
        if found is not None and not matches:
            raise WrongKey("the lead key does not match this round")
        return found

    def responses(self, found: Round) -> list[Response]:
        with self._store.reading() as conn:
            return groups.round_responses(conn, found.id)

    def close(self, found: Round, build: Build) -> str:
        """Freeze the round and store its group result; the result's share token. The
        caller has checked the lead key (see `lead`)."""
        moment = groups.now()
        with self._store.writing() as conn:
            groups.mark_closed(conn, found.id, moment)
            answered = groups.round_responses(conn, found.id)
            if not answered:
                raise NoResponses("nobody has answered yet: there is no group result to store")
            closing = build(found, answered)
            token = self._insert_result(conn, found, closing)
            groups.insert_group_result(conn, token, closing.respondents, closing.analysis, moment)
            groups.set_result(conn, found.id, token)
        return token

    def _insert_result(self, conn: Connection, found: Round, closing: Closing) -> str:
        row, _ = assessments.new_row(closing.result, found.label, closing.notes)
        row["manage_key_hash"] = conn.execute(
            select(group_rounds.c.lead_key_hash).where(group_rounds.c.id == found.id)
        ).scalar_one()
        for _ in range(3):
            try:
                with conn.begin_nested():
                    assessments.insert_rows(conn, [row])
                return str(row["token"])
            except IntegrityError:
                row = assessments.fresh_token(row)  # an astronomically unlikely clash
        raise RuntimeError("could not allocate a unique token")

    def delete(self, found: Round) -> None:
        """The round and its responses; a stored group result stays (it may be shared)."""
        with self._store.writing() as conn:
            groups.remove_round(conn, found.id)

    def start_next(
        self,
        found: Round,
        label: str,
        roles: Sequence[str],
        closes_at: datetime | None,
        carry_over: bool,
    ) -> CreatedRound:
        """A new round from this one, with its responses copied when `carry_over` (they
        get no edit link: the old ones stopped working when that round closed)."""
        moment = groups.now()
        with self._store.writing() as conn:
            made, key = groups.insert_round(conn, label, roles, closes_at, found.token)
            if carry_over:
                for response in groups.round_responses(conn, found.id):
                    groups.insert_response(
                        conn, made.id, groups.as_given(response), moment, editable=False
                    )
        return CreatedRound(made, key)

    # --- responses -------------------------------------------------------------

    def respond(self, found: Round, given: Given) -> CreatedResponse:
        """Add a response, or raise RoundClosed / RoundFull."""
        moment = groups.now()
        with self._store.writing() as conn:
            groups.claim_open(conn, found.id, moment)
            response, key = groups.insert_response(conn, found.id, given, moment)
        return CreatedResponse(response, key)

    def response(self, token: str, key: str) -> tuple[Response, Round] | None:
        """A response and its round, when the key opens it; None for an unknown one."""
        if not well_formed(token):
            return None
        with self._store.reading() as conn:
            found = groups.find_response(conn, token)
            if found is None:
                return None
            matches = well_formed(key) and groups.response_key_matches(conn, token, key)
            owner = conn.execute(
                select(group_rounds.c.token).where(group_rounds.c.id == found.round_id)
            ).scalar_one()
            round_ = groups.find_round(conn, owner)
        if not matches:
            raise WrongKey("this edit link is not valid for this response")
        assert round_ is not None
        return found, round_

    def edit(self, response: Response, given: Given) -> None:
        """Replace a response's answers (the caller has checked its key), or RoundClosed."""
        moment = groups.now()
        with self._store.writing() as conn:
            groups.claim_open(conn, response.round_id, moment)
            groups.update_response(conn, response.token, given, moment)

    # --- stored group results --------------------------------------------------

    def result(self, token: str) -> GroupResult | None:
        if not well_formed(token):
            return None
        with self._store.reading() as conn:
            return groups.find_group_result(conn, token)


__all__ = [
    "Build",
    "Closing",
    "CreatedResponse",
    "CreatedRound",
    "Given",
    "Groups",
    "RoundClosed",
]
