"""Real databases for storage tests: SQLite in tmp_path, and PostgreSQL when a server is given.

PostgreSQL comes from CM_ADVISOR_TEST_POSTGRES_URL (an admin URL, e.g. from
scripts/test-postgres.sh). Without it the PostgreSQL cases skip on a developer's
machine, but fail under CI=true: CI must never pass by skipping them.
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "CM_ADVISOR_TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        message = f"no PostgreSQL server: set {POSTGRES_ENV} (see scripts/test-postgres.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; under CI=true this is a failure, not a skip")
        pytest.skip(message)
    return url


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    admin_url = postgres_admin_url()
    name = f"cm_test_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        with fresh_postgres_database() as url:
            yield url
