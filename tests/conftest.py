"""Shared fixtures: the real catalogue, and a fresh app on temporary paths per test.

Settings come from helpers.settings.HermeticSettings, never from CM_ADVISOR_* variables;
the one variable the tests read is CM_ADVISOR_TEST_POSTGRES_URL (helpers.databases).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from cm_advisor.catalogue import load_catalogue
from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue
from helpers.settings import DEFAULTS, HermeticSettings

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
