"""Group rounds in the store, against real SQLite and real PostgreSQL."""

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from cm_advisor.engine import Catalogue, check_input
from cm_advisor.engine.groups import Respondent, analyse
from cm_advisor.storage import NoResponses, RoundClosed, RoundFull, Store, WrongKey
from cm_advisor.storage import groups as group_sql
from cm_advisor.storage.group_store import Build, Closing
from cm_advisor.storage.groups import Given, Response, Round
from cm_advisor.storage.tables import group_responses, group_rounds
from helpers.archetypes import ARCHETYPES
from helpers.databases import database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, catalogue: Catalogue) -> Iterator[Store]:
    with database(request.param, tmp_path) as url:
        s = Store(url, catalogue)
        assert s.open()
        yield s
        s.close()


def given(archetype: str, role: str = "", initials: str = "") -> Given:
    return Given(dict(ARCHETYPES[archetype]), {"budget": 2}, None, role, initials)


def builder(catalogue: Catalogue, seen: list[int] | None = None) -> Build:
    def build(found: Round, responses: Sequence[Response]) -> Closing:
        if seen is not None:
            seen.append(len(responses))
        people = [
            Respondent(check_input(catalogue, r.answers, r.weights, r.population), r.role)
            for r in responses
        ]
        analysis = analyse(catalogue, people)
        parts = analysis.model_dump_json(exclude={"result"})
        return Closing(analysis.result, parts, len(people), f"{len(people)} responses")

    return build


def test_a_round_is_opened_by_its_lead_key_alone(store: Store) -> None:
    made = store.groups.create("Riverside <b>", ["Nursing", " Finance ", "Nursing", ""], None)
    found = made.round
    assert len(found.token) >= 32 and len(made.lead_key) >= 43  # 192 and 256 bits
    assert found.label == "Riverside <b>"
    assert found.roles == ("Nursing", "Finance")  # cleaned, each once, in order
    assert found.is_open() and found.closed_at is None and found.result_token is None
    assert store.groups.get(found.token) == found
    assert store.groups.lead(found.token, made.lead_key) == found
    for wrong in ("", "x", made.lead_key[:-1] + "A", "é"):
        with pytest.raises(WrongKey):
            store.groups.lead(found.token, wrong)
    assert store.groups.lead("never-issued", made.lead_key) is None
    assert store.groups.get("bad\x00token") is None
    with store.engine.connect() as conn:
        dump = " ".join(
            str(v) for row in conn.execute(text("SELECT * FROM group_rounds")) for v in row
        )
    assert made.lead_key not in dump


def test_a_response_link_opens_its_own_response_only(store: Store) -> None:
    made = store.groups.create("Acme", ["Nursing"], None).round
    first = store.groups.respond(made, given("clinical", "Nursing", "JK"))
    second = store.groups.respond(made, given("brokerage"))
    assert first.response.token != second.response.token
    opened = store.groups.response(first.response.token, first.key)
    assert opened is not None
    response, owner = opened
    assert owner.token == made.token
    assert (response.role, response.initials, response.editable) == ("Nursing", "JK", True)
    assert response.answers == dict(ARCHETYPES["clinical"])
    assert response.weights == {"budget": 2}
    with pytest.raises(WrongKey):
        store.groups.response(first.response.token, second.key)
    with pytest.raises(WrongKey):
        store.groups.response(second.response.token, first.key)
    assert store.groups.response("never-issued", first.key) is None
    with store.engine.connect() as conn:
        dump = " ".join(
            str(v) for row in conn.execute(text("SELECT * FROM group_responses")) for v in row
        )
    assert first.key not in dump and second.key not in dump


def test_an_edit_replaces_the_answers_until_the_round_closes(
    store: Store, catalogue: Catalogue
) -> None:
    made = store.groups.create("Acme", [], None)
    answered = store.groups.respond(made.round, given("clinical"))
    store.groups.edit(answered.response, given("intensive", "", "AB"))
    response = store.groups.responses(made.round)[0]
    assert response.answers == dict(ARCHETYPES["intensive"]) and response.initials == "AB"
    assert response.created_at <= response.updated_at

    token = store.groups.close(made.round, builder(catalogue))
    with pytest.raises(RoundClosed):
        store.groups.edit(answered.response, given("brokerage"))
    with pytest.raises(RoundClosed):
        store.groups.respond(made.round, given("brokerage"))
    with pytest.raises(RoundClosed):
        store.groups.close(made.round, builder(catalogue))
    closed = store.groups.get(made.round.token)
    assert closed is not None and not closed.is_open() and closed.result_token == token
    assert store.groups.responses(made.round)[0].answers == dict(ARCHETYPES["intensive"])


def test_the_closing_date_stops_responses_and_edits(store: Store) -> None:
    soon = datetime.now(UTC) + timedelta(days=1)
    made = store.groups.create("Acme", [], soon).round
    answered = store.groups.respond(made, given("clinical"))
    assert made.closes_at == soon
    with store.engine.begin() as conn:  # the date passes
        conn.execute(
            group_rounds.update()
            .where(group_rounds.c.id == made.id)
            .values(closes_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    past = store.groups.get(made.token)
    assert past is not None and past.past_closing() and not past.is_open()
    assert past.closed_at is None  # no longer taking answers, but not yet closed
    with pytest.raises(RoundClosed):
        store.groups.respond(past, given("brokerage"))
    with pytest.raises(RoundClosed):
        store.groups.edit(answered.response, given("brokerage"))


def test_closing_stores_the_group_result_like_a_single_one(
    store: Store, catalogue: Catalogue
) -> None:
    made = store.groups.create("Riverside", ["Nursing", "Finance"], None)
    for archetype, role in (("clinical", "Nursing"), ("clinical", "Finance"), ("intensive", "")):
        store.groups.respond(made.round, given(archetype, role, "XY"))
    token = store.groups.close(made.round, builder(catalogue))

    saved = store.get(token)
    assert saved is not None
    people = [
        Respondent(check_input(catalogue, r.answers, r.weights), r.role)
        for r in store.groups.responses(made.round)
    ]
    assert saved.result == analyse(catalogue, people).result
    assert (saved.label, saved.notes) == ("Riverside", "3 responses")
    assert saved.catalogue_hash == catalogue.content_hash
    assert store.catalogue(catalogue.content_hash) == catalogue  # the snapshot is there
    assert store.check_key(token, made.lead_key)  # the lead key manages the stored result
    stored = store.groups.result(token)
    assert stored is not None and stored.respondents == 3
    assert "XY" not in stored.analysis  # initials never reach anything shareable
    assert store.groups.result("never-issued") is None


def test_a_round_nobody_answered_cannot_be_closed(store: Store, catalogue: Catalogue) -> None:
    made = store.groups.create("Empty", [], None).round
    with pytest.raises(NoResponses):
        store.groups.close(made, builder(catalogue))
    again = store.groups.get(made.token)
    assert again is not None and again.is_open()  # nothing of the attempt was kept


def test_deleting_a_round_deletes_its_responses_but_not_its_shared_result(
    store: Store, catalogue: Catalogue
) -> None:
    made = store.groups.create("Acme", [], None)
    other = store.groups.create("Other", [], None)
    for _ in range(3):
        store.groups.respond(made.round, given("clinical"))
    kept = store.groups.respond(other.round, given("brokerage"))
    token = store.groups.close(made.round, builder(catalogue))
    store.groups.delete(made.round)
    assert store.groups.get(made.round.token) is None
    with store.engine.connect() as conn:
        left = conn.execute(select(group_responses.c.token)).scalars().all()
    assert left == [kept.response.token]
    assert store.get(token) is not None and store.groups.result(token) is not None


def test_the_database_cascades_a_deleted_round_to_its_responses(store: Store) -> None:
    made = store.groups.create("Acme", [], None).round
    store.groups.respond(made, given("clinical"))
    with store.engine.begin() as conn:
        conn.execute(group_rounds.delete().where(group_rounds.c.id == made.id))
        assert conn.execute(select(func.count()).select_from(group_responses)).scalar() == 0


def test_deleting_the_stored_result_leaves_the_round(store: Store, catalogue: Catalogue) -> None:
    made = store.groups.create("Acme", [], None)
    store.groups.respond(made.round, given("clinical"))
    token = store.groups.close(made.round, builder(catalogue))
    store.delete(token, made.lead_key)
    assert store.groups.result(token) is None
    found = store.groups.get(made.round.token)
    assert found is not None and found.result_token is None and found.closed_at is not None


def test_a_new_round_from_an_old_one_carries_its_responses_over(
    store: Store, catalogue: Catalogue
) -> None:
    old = store.groups.create("Acme", ["Nursing"], None)
    store.groups.respond(old.round, given("clinical", "Nursing", "JK"))
    store.groups.close(old.round, builder(catalogue))
    made = store.groups.start_next(old.round, "Acme, again", ["Nursing", "Finance"], None, True)
    assert made.round.previous_token == old.round.token and made.round.is_open()
    assert made.round.roles == ("Nursing", "Finance")
    (carried,) = store.groups.responses(made.round)
    assert (carried.role, carried.initials, carried.editable) == ("Nursing", "JK", False)
    assert carried.answers == dict(ARCHETYPES["clinical"])
    empty = store.groups.start_next(old.round, "Acme, fresh", [], None, False)
    assert store.groups.responses(empty.round) == []
    with pytest.raises(WrongKey):
        store.groups.lead(made.round.token, old.lead_key)  # a key of its own


def test_a_round_takes_a_bounded_number_of_responses(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(group_sql, "RESPONSES_MAX", 2)
    made = store.groups.create("Acme", [], None).round
    store.groups.respond(made, given("clinical"))
    store.groups.respond(made, given("clinical"))
    with pytest.raises(RoundFull):
        store.groups.respond(made, given("clinical"))


def test_every_response_acknowledged_before_closing_is_in_the_group_result(
    store: Store, catalogue: Catalogue
) -> None:
    """Responses race a closing: each is either in the stored result or refused."""
    made = store.groups.create("Race", [], None).round
    acknowledged: list[str] = []
    refused = threading.Event()
    started = threading.Barrier(5)

    def respond_until_closed() -> None:
        started.wait(timeout=30)
        while not refused.is_set():
            try:
                acknowledged.append(store.groups.respond(made, given("clinical")).response.token)
            except RoundClosed:
                refused.set()

    seen: list[int] = []
    with ThreadPoolExecutor(4) as pool:
        for _ in range(4):
            pool.submit(respond_until_closed)
        started.wait(timeout=30)
        while len(acknowledged) < 8:
            threading.Event().wait(0.005)
        token = store.groups.close(made, builder(catalogue, seen))
        refused.set()
    stored = store.groups.result(token)
    assert stored is not None
    assert seen == [stored.respondents] == [len(acknowledged)]
    assert {r.token for r in store.groups.responses(made)} == set(acknowledged)
