"""The README documents every setting and the two commands."""

from pathlib import Path

from cm_advisor.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"CM_ADVISOR_{name.upper()}" in README, name


def test_the_two_commands_are_in_the_readme() -> None:
    assert "make run" in README and "make test" in README
