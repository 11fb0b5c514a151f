"""What people and catalogues write is shown as text, never parsed as markup.

Each test stores or ships text that would become elements if a template marked it safe,
then checks the page two ways: the text reads back exactly as written, and no element
was made from it.
"""

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from cm_advisor.web.app import create_app
from cm_advisor.web.forms import NOTES_MAX
from helpers.html import one, parse, text_of
from helpers.settings import DEFAULTS, HermeticSettings

SCRIPT = "<script>x</script>"
BOLD = "<b>bold</b>"
# Closes a quoted attribute first, so it breaks out of value="..." too.
BREAKOUT = f'"><em>x</em>{SCRIPT}'


def made_from_text(page: BeautifulSoup) -> list[str]:
    """Elements that only text such as SCRIPT, BOLD or BREAKOUT would have made."""
    scripts = [str(s) for s in page.select("script") if text_of(s) == "x"]
    return scripts + [str(e) for e in page.select("b, em")]


def save(client: TestClient, label: str) -> dict[str, str]:
    response = client.post("/api/v1/assessments", json={"answers": {}, "label": label})
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


@pytest.mark.parametrize("label", [SCRIPT, BOLD, BREAKOUT])
def test_a_label_on_the_compare_page_is_text(client: TestClient, label: str) -> None:
    first, second = save(client, label), save(client, "Plain")
    response = client.get("/compare", params={"a": first["id"], "b": second["id"]})
    assert response.status_code == 200
    page = parse(response.text)
    heads = one(page, ".compare-heads")
    assert [text_of(a) for a in heads.select("h2 a")] == [label, "Plain"]
    assert made_from_text(page) == []


@pytest.mark.parametrize("label", [SCRIPT, BOLD, BREAKOUT])
def test_a_label_on_the_result_page_is_text(client: TestClient, label: str) -> None:
    token = save(client, label)["id"]
    page = parse(client.get(f"/r/{token}").text)
    assert text_of(one(page, ".result-label")) == label
    assert made_from_text(page) == []


@pytest.mark.parametrize("label", [SCRIPT, BOLD, BREAKOUT])
def test_a_label_on_the_manage_page_is_text(client: TestClient, label: str) -> None:
    manage = save(client, label)["manage_url"].removeprefix("http://testserver")
    response = client.get(manage)
    assert response.status_code == 200
    page = parse(response.text)
    assert one(page, "#manage-label")["value"] == label
    assert made_from_text(page) == []

    # Re-rendered with an error, the page shows the label as typed: still text.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert csrf, "the manage form carries a CSRF token"
    too_long = "n" * (NOTES_MAX + 1)
    edited = client.post(
        manage, data={"label": label, "notes": too_long, "csrf_token": csrf.group(1)}
    )
    assert edited.status_code == 422
    again = parse(edited.text)
    assert one(again, "#manage-label")["value"] == label
    assert made_from_text(again) == []


def test_help_texts_on_the_questionnaire_are_text(tmp_path: Path) -> None:
    questionnaire = yaml.safe_load(DEFAULTS.questionnaire_path.read_text(encoding="utf-8"))
    question = next(q for q in questionnaire["questions"] if q["kind"] == "single")
    question["help"] = "Count <em>every</em> patient."
    question["options"][0]["help"] = "Mostly <em>stable</em>."
    ranked = next(q for q in questionnaire["questions"] if q["kind"] == "multi")
    ranked["options"][0]["help"] = "Fewer <em>admissions</em>."
    copy = tmp_path / "questionnaire.yaml"
    copy.write_text(yaml.safe_dump(questionnaire, allow_unicode=True), encoding="utf-8")
    settings = HermeticSettings(data_dir=tmp_path / "data", questionnaire_path=copy)

    with TestClient(create_app(settings)) as client:
        response = client.get("/assess")
    assert response.status_code == 200
    page = parse(response.text)
    help_text = one(page, f"#{question['id']}-help")
    assert text_of(help_text) == "Count <em>every</em> patient."
    option_help = one(page, f"#{question['id']}-{question['options'][0]['id']}-help")
    assert text_of(option_help) == "Mostly <em>stable</em>."
    notes = one(page, f"#{ranked['id']}-{ranked['options'][0]['id']}-help")
    assert text_of(notes) == "Fewer <em>admissions</em>."
    assert page.select("em") == []
