"""Shared fixtures: the real catalogue, and a fresh app on temporary paths per test.

Settings come from helpers.settings.HermeticSettings, never from CM_ADVISOR_* variables;
the one variable the tests read is CM_ADVISOR_TEST_POSTGRES_URL (helpers.databases).
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from cm_advisor.catalogue import load_catalogue
from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue
from helpers.settings import DEFAULTS, HermeticSettings

# A trap: for the whole run, the two settings that say where data is written point at an
# empty folder. A test that let the environment reach its settings would write there and
# fail the run; a developer's own database is never touched either way.
TRAP = Path(tempfile.mkdtemp(prefix="cm-env-trap-"))
WRITERS = {
    "CM_ADVISOR_DATA_DIR": str(TRAP / "data"),
    "CM_ADVISOR_DATABASE_URL": f"sqlite:///{TRAP / 'leaked.sqlite3'}",
}


def pytest_configure(config: pytest.Config) -> None:
    os.environ.update(WRITERS)  # before collection, so module-level code is caught too


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(TRAP, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def environment_trap() -> Iterator[None]:
    """Fails (after the last test) if anything was written where the trap points."""
    yield
    leaked = sorted(str(p.relative_to(TRAP)) for p in TRAP.rglob("*"))
    assert not leaked, (
        f"tests wrote {leaked} where CM_ADVISOR_DATA_DIR or CM_ADVISOR_DATABASE_URL from the "
        "environment pointed: build settings with helpers.settings.HermeticSettings"
    )


# Shared machines are noisy: judge properties, never how fast an example ran.
hypothesis_settings.register_profile("cm-advisor", deadline=None, print_blob=True)
hypothesis_settings.load_profile("cm-advisor")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(DEFAULTS.catalogue_path, DEFAULTS.questionnaire_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return HermeticSettings(data_dir=tmp_path / "data")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from cm_advisor.web.app import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client
