"""The database schema: brought to the newest revision by Alembic, one process at a time.

Alembic creates a new database (running every migration and stamping it) and upgrades
an older one, in a single transaction that holds the database's own lock: SQLite's
write lock (`BEGIN IMMEDIATE`), PostgreSQL's advisory lock. A process that waited for
the lock finds the schema current and changes nothing. Alembic (with mako and
pygments, ~0.2 s and ~13 MB) is imported only when there is something to do: a
current schema is recognised by one select.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0003"  # the newest revision in migrations/versions (a test checks it)
ADVISORY_LOCK = 727274  # PostgreSQL: one migrating process at a time


def migrate(
    engine: Engine, revision: str = "head", prepare: Callable[[Connection], None] | None = None
) -> None:
    """Bring the schema to `revision`; safe when several processes start at once.
    `prepare` sees the migrating connection first (the store gives it a longer deadline)."""
    if revision == "head" and is_current(engine):
        return
    with engine.connect() as conn:
        if prepare is not None:
            prepare(conn)
        _lock(conn)
        upgrade(conn, revision)
        conn.commit()


def upgrade(conn: Connection, revision: str) -> None:
    """Alembic's upgrade on a connection whose transaction the caller commits."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the head; a database that cannot be reached raises."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return bool(version == SCHEMA_HEAD)


def _lock(conn: Connection) -> None:
    """Start the transaction holding the database's lock for schema changes."""
    if conn.dialect.name == "sqlite":
        # pysqlite begins transactions lazily and never before DDL; begin one ourselves,
        # taking the write lock now (other migrators wait in their busy handler).
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})"))
