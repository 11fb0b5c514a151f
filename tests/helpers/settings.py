"""Hermetic settings: built from the values a test passes, never from CM_ADVISOR_* variables.

The app's Settings read the environment, so a developer who exported, say,
CM_ADVISOR_DATABASE_URL would otherwise have the tests write into that database.
"""

import os
from pathlib import Path

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from cm_advisor.config import Settings


class HermeticSettings(Settings):
    """Settings from explicit values and the declared defaults only; data_dir is required,
    so every test says where its database goes."""

    data_dir: Path

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


# The shipped catalogue, questionnaire, templates and static files, for tests that read
# them. Its data_dir cannot hold a database, so an app built from it fails loudly.
DEFAULTS = HermeticSettings(data_dir=Path(os.devnull))
