"""The README documents every setting and the two commands."""

from pathlib import Path

from cm_advisor.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"CM_ADVISOR_{name.upper()}" in README, name


def test_the_two_commands_are_in_the_readme() -> None:
    assert "make run" in README and "make test" in README


def test_the_worked_example_of_a_group_round_holds() -> None:
    """docs/groups.md quotes the five-person round's figures: they are what it gives."""
    from cm_advisor.catalogue import load_catalogue
    from cm_advisor.engine import check_input
    from cm_advisor.engine.groups import Respondent, analyse
    from helpers import groups
    from helpers.settings import DEFAULTS

    text = " ".join((Path(__file__).parents[1] / "docs" / "groups.md").read_text().split())
    catalogue = load_catalogue(DEFAULTS.catalogue_path, DEFAULTS.questionnaire_path)
    people = [Respondent(check_input(catalogue, a), r) for r, _, a in groups.RESPONDENTS]
    view = analyse(catalogue, people)
    scores = {m.model: m.score for m in view.result.ranking}
    for model in ("clinical", "collaborative", "strengths_based", "brokerage"):
        assert f"({scores[model]})" in text or f"({scores[model]} each)" in text, model
    assert f"{view.consensus.share_agreeing:.0%}".replace("%", " %") in text
    assert view.result.verdict == "close" and "a close call" in text
    assert [q.question for q in view.questions if q.decisive] == ["staff_mix"]
