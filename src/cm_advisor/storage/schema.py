"""The database schema: created or migrated to the newest revision, once, whoever starts first.

Alembic (with mako and pygments: ~0.2 s and ~13 MB) is imported only to upgrade an
existing, older database. A current schema is recognised by one select, and an
empty database gets its tables from the table definitions, stamped at the head
revision: Alembic's documented create-then-stamp recipe.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from cm_advisor.storage.tables import metadata

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0002"  # the newest revision in migrations/versions (a test checks it)
ADVISORY_LOCK = 727274  # PostgreSQL: one migrating process at a time


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    if is_current(engine) or _create_if_empty(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _exclusive(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return False  # no schema yet, or no database: migrate() will say which
    return version == SCHEMA_HEAD


def _create_if_empty(engine: Engine) -> bool:
    with _exclusive(engine) as conn:
        if inspect(conn).get_table_names():
            return False  # an older schema, or another process was first: migrate
        metadata.create_all(conn)
        conn.execute(
            text(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        )
        conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": SCHEMA_HEAD})
    return True


@contextmanager
def _exclusive(engine: Engine) -> Iterator[Connection]:
    """A transaction no other process changes the schema during: a file lock beside a
    SQLite file, an advisory lock on PostgreSQL."""
    database = engine.url.database
    on_file = engine.url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:")
    with open(f"{database}.migrate-lock", "a") if on_file else _no_file() as lock:
        if lock is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})"))
                yield conn
        finally:
            if lock is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def _no_file() -> Iterator[None]:
    yield None
