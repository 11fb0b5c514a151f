"""The repository against real SQLite and real PostgreSQL."""

import asyncio
import multiprocessing
import sqlite3
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, text

from cm_advisor import engine
from cm_advisor.engine import Catalogue
from cm_advisor.storage import Created, Store, StoreUnavailable, WrongKey
from cm_advisor.storage.assessments import new_row
from cm_advisor.storage.schema import SCHEMA_HEAD
from helpers.archetypes import ARCHETYPES
from helpers.databases import database

T = TypeVar("T")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, catalogue: Catalogue) -> Iterator[Store]:
    with database(request.param, tmp_path) as url:
        s = Store(url)
        s.migrate()
        s.remember_catalogue(catalogue)
        yield s
        s.close()


def test_a_saved_result_comes_back_exactly(store: Store, catalogue: Catalogue) -> None:
    result = engine.score(catalogue, ARCHETYPES["clinical"], {"budget": 2})
    created = store.create(result, "Riverside Health", "Before the merger")
    found = store.get(created.assessment.token)
    assert found is not None
    assert found.result == result
    assert found.result.model_dump_json() == result.model_dump_json()
    assert found.answers == result.answers | {"outcomes": ["readmissions", "quality"]}
    assert found.weights["budget"] == 2
    assert (found.label, found.notes) == ("Riverside Health", "Before the merger")
    assert found.catalogue_version == catalogue.version
    assert found.catalogue_hash == catalogue.content_hash
    assert found.engine_version == result.engine_version
    assert found.created_at == created.assessment.created_at


def test_tokens_are_unique_long_and_unordered(store: Store, catalogue: Catalogue) -> None:
    result = engine.score(catalogue, {})
    tokens = [store.create(result).assessment.token for _ in range(60)]
    assert len(set(tokens)) == len(tokens)
    assert all(len(t) >= 32 for t in tokens)  # 24 random bytes: 192 bits
    assert tokens != sorted(tokens)
    assert len({t[:6] for t in tokens}) == len(tokens)


def test_a_wrong_key_changes_nothing(store: Store, catalogue: Catalogue) -> None:
    created = store.create(engine.score(catalogue, ARCHETYPES["brokerage"]), "Acme")
    token = created.assessment.token
    before = store.get(token)
    with pytest.raises(WrongKey):
        store.delete(token, "not-the-key")
    with pytest.raises(WrongKey):
        store.update(token, created.manage_key[:-1] + "x", "Hacked", "")
    assert store.get(token) == before


def test_the_manage_key_edits_label_and_notes_only(store: Store, catalogue: Catalogue) -> None:
    created = store.create(engine.score(catalogue, ARCHETYPES["brokerage"]), "Acme")
    token = created.assessment.token
    store.update(token, created.manage_key, "Acme North", "Reviewed")
    found = store.get(token)
    assert found is not None
    assert (found.label, found.notes) == ("Acme North", "Reviewed")
    assert found.result == created.assessment.result


def test_delete_removes_the_row(store: Store, catalogue: Catalogue) -> None:
    created = store.create(engine.score(catalogue, {}))
    store.delete(created.assessment.token, created.manage_key)
    assert store.get(created.assessment.token) is None
    assert store.get("never-issued") is None


def test_the_manage_key_is_not_stored_in_plain_text(store: Store, catalogue: Catalogue) -> None:
    created = store.create(engine.score(catalogue, {}))
    with store.engine.connect() as conn:
        dump = " ".join(
            str(v) for row in conn.execute(text("SELECT * FROM assessments")) for v in row
        )
    assert created.manage_key not in dump


def test_catalogue_snapshots_survive_for_old_results(store: Store, catalogue: Catalogue) -> None:
    store.remember_catalogue(catalogue)  # idempotent
    assert store.catalogue(catalogue.content_hash) == catalogue
    assert store.catalogue("0" * 64) is None


def _migrate_at_once(url: str, barrier: Any, outcomes: Any) -> None:
    """One process of the race below: import and connect, wait for the others, migrate."""
    import alembic.command  # noqa: F401  (imported before the barrier, not after it)

    store = Store(url)
    try:
        if not url.startswith("sqlite"):
            store.engine.connect().close()  # a pooled connection ready before the barrier
        barrier.wait(timeout=120)
        store.migrate()
        outcomes.put("ok")
    except BaseException as error:
        outcomes.put(repr(error))
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_several_processes_migrating_one_empty_database_at_once(kind: str, tmp_path: Path) -> None:
    """Real processes released together by a barrier, on a database with no tables yet:
    the database's own lock lets one create the schema and the others find it done."""
    context = multiprocessing.get_context("spawn")
    count = 4
    with database(kind, tmp_path) as url:
        barrier, outcomes = context.Barrier(count), context.Queue()
        racers = [
            context.Process(target=_migrate_at_once, args=(url, barrier, outcomes))
            for _ in range(count)
        ]
        for racer in racers:
            racer.start()
        found = [outcomes.get(timeout=180) for _ in racers]
        for racer in racers:
            racer.join(timeout=30)
        assert found == ["ok"] * count
        store = Store(url)
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            assert conn.execute(text("SELECT count(*) FROM assessments")).scalar() == 0
        store.close()
        assert versions == [(SCHEMA_HEAD,)]


def test_a_migration_waits_for_another_longer_than_the_usual_timeout(tmp_path: Path) -> None:
    """Another process holds the write lock (as a worker migrating the same new database
    does) for longer than the store's 0.3 s timeout: the migration waits for it instead
    of answering unavailable, and the connection then waits the usual time again."""
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    store = Store(f"sqlite:///{path}", timeout=0.3)
    with ThreadPoolExecutor(1) as pool:
        migrating = pool.submit(store.migrate)
        done, _ = wait([migrating], timeout=1.0)
        assert not done  # still waiting, well past the 0.3 s a save would wait
        holder.rollback()
        holder.close()
        migrating.result(timeout=60)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 300
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
    store.close()


def test_a_new_database_locked_by_another_process_is_put_in_wal_mode_once_free(
    tmp_path: Path,
) -> None:
    """SQLite answers "database is locked" at once, without waiting, when a file not yet in
    WAL mode is switched while another process holds a lock on it (as workers creating
    one new database together do): the store tries again until the lock is gone."""
    path = tmp_path / "new.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other (x)")  # a file in the default rollback mode
    holder.execute("BEGIN IMMEDIATE")
    store = Store(f"sqlite:///{path}")
    with ThreadPoolExecutor(1) as pool:
        migrating = pool.submit(store.migrate)
        done, _ = wait([migrating], timeout=0.5)
        assert not done
        holder.rollback()
        holder.close()
        migrating.result(timeout=60)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    store.close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    s = Store(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    s.migrate()
    with s.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    s.close()


def test_schema_head_names_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from cm_advisor.storage.schema import MIGRATIONS, SCHEMA_HEAD

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


# --- reads on the event loop ------------------------------------------------


def run(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: Playwright's session may own this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main).result()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_event_loop_reads_see_every_commit_of_another_connection(
    kind: str, tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite reads inline, PostgreSQL through psycopg's async connection: neither needs
    the thread pool, and both see an edit or a delete made through another store."""
    with database(kind, tmp_path) as url:
        writer, reader = Store(url, catalogue), Store(url, catalogue)
        assert writer.open() and reader.open()
        monkeypatch.setattr(reader, "label_and_notes", lambda token: pytest.fail("a thread"))
        created = writer.create(engine.score(catalogue, ARCHETYPES["brokerage"]), "Acme", "n")
        token = created.assessment.token
        assert run(reader.label_and_notes_async(token)) == ("Acme", "n")
        writer.update(token, created.manage_key, "Renamed", "")
        assert run(reader.label_and_notes_async(token)) == ("Renamed", "")
        writer.delete(token, created.manage_key)
        assert run(reader.label_and_notes_async(token)) is None
        writer.close()
        reader.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_event_loop_pings_need_no_thread(
    kind: str, tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database(kind, tmp_path) as url:
        store = Store(url, catalogue)
        assert store.open()
        monkeypatch.setattr(store, "ping", lambda: pytest.fail("a thread"))
        assert run(store.ping_async()) is True
        store.close()


def test_inline_reads_leave_the_wal_free_to_checkpoint(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    path = tmp_path / "wal.sqlite3"
    store = Store(f"sqlite:///{path}", catalogue)
    assert store.open()
    token = store.create(engine.score(catalogue, {})).assessment.token
    for _ in range(3):
        assert run(store.label_and_notes_async(token)) == ("", "")
    with sqlite3.connect(path) as other:
        busy, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0  # no read snapshot is left open on the inline connection
    store.close()


@pytest.mark.postgres
def test_an_event_loop_read_survives_the_server_dropping_its_connections(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """A server restart leaves the pooled async connections broken: the read is made
    once more on a new connection, not answered with an error."""
    with database("postgresql", tmp_path) as url:
        store = Store(url, catalogue)
        assert store.open()
        token = store.create(engine.score(catalogue, {}), "Kept").assessment.token

        async def read_drop_read() -> tuple[object, object]:
            first = await store.label_and_notes_async(token)
            with store.engine.connect() as conn:
                dropped = conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar()
            assert dropped
            return first, await store.label_and_notes_async(token)

        assert run(read_drop_read()) == (("Kept", ""), ("Kept", ""))
        store.close()


# --- group commit ------------------------------------------------------------


def test_results_saved_at_the_same_time_share_one_commit(
    store: Store, catalogue: Catalogue
) -> None:
    results = [engine.score(catalogue, answers) for answers in ARCHETYPES.values()] * 4
    assert store.open()  # its own start-up work (migrations, purging drafts) commits apart
    commits: list[object] = []
    event.listen(store.engine, "commit", commits.append)

    async def save_all() -> list[Created]:
        return await asyncio.gather(
            *(store.create_async(r, f"n{i}") for i, r in enumerate(results))
        )

    created = run(save_all())
    assert len(commits) == 1
    assert len({c.assessment.token for c in created}) == len(results)
    for i, c in enumerate(created):
        found = store.get(c.assessment.token)
        assert found is not None and found.label == f"n{i}" and found.result == results[i]
        assert store.check_key(c.assessment.token, c.manage_key)


def test_a_clashing_token_is_drawn_again_without_losing_the_batch(
    store: Store, catalogue: Catalogue
) -> None:
    taken = store.create(engine.score(catalogue, {})).assessment.token
    rows = [new_row(engine.score(catalogue, a), "", "")[0] for a in ARCHETYPES.values()]
    rows[1]["token"] = taken
    outcomes = store._insert(rows)
    assert all(isinstance(o, str) for o in outcomes)
    assert outcomes[1] != taken and len(set(outcomes)) == len(rows)
    assert all(store.get(str(token)) is not None for token in outcomes)


def test_when_saving_fails_every_waiting_caller_hears_it(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    (tmp_path / "db.sqlite3").mkdir()  # a directory where the database should be
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}", catalogue)
    result = engine.score(catalogue, {})

    async def save_three() -> list[Created | BaseException]:
        saves = (store.create_async(result) for _ in range(3))
        return await asyncio.gather(*saves, return_exceptions=True)

    outcomes = run(save_three())
    assert all(isinstance(o, StoreUnavailable) for o in outcomes)
    store.close()


def _schema(url: str) -> dict[str, object]:
    """Tables, columns, keys and indexes as the database reports them (comments aside)."""
    from sqlalchemy import create_engine, inspect

    eng = create_engine(url)
    try:
        found = inspect(eng)
        return {
            t: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(t)],
                found.get_pk_constraint(t)["constrained_columns"],
                sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(t)),
                sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(t)),
                [
                    (f["referred_table"], f["constrained_columns"])
                    for f in found.get_foreign_keys(t)
                ],
            )
            for t in sorted(found.get_table_names())
        }
    finally:
        eng.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_migrations_build_the_schema_the_table_definitions_declare(
    kind: str, tmp_path: Path
) -> None:
    """The queries are written against tables.py; Alembic builds every database."""
    from sqlalchemy import create_engine

    from cm_advisor.storage.schema import SCHEMA_HEAD
    from cm_advisor.storage.tables import metadata

    (tmp_path / "declared").mkdir()
    (tmp_path / "migrated").mkdir()
    with (
        database(kind, tmp_path / "declared") as declared,
        database(kind, tmp_path / "migrated") as migrated,
    ):
        plain = create_engine(declared)
        metadata.create_all(plain)
        plain.dispose()
        store = Store(migrated)
        store.migrate()
        with store.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        store.close()
        assert version == SCHEMA_HEAD
        found = _schema(migrated)
        assert found.pop("alembic_version")
        assert found == _schema(declared)
