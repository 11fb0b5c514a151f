"""Comparing two saved results: the answers and priorities that differ, what moved the
scores most, and errors beside the field with both inputs kept."""

from typing import Any

from fastapi.testclient import TestClient

from cm_advisor.engine import Catalogue
from helpers.archetypes import ARCHETYPES
from helpers.html import one, parse, text_of


def _save(client: TestClient, answers: dict[str, Any], label: str, **extra: Any) -> str:
    body = {"answers": answers, "label": label} | extra
    token: str = client.post("/api/v1/assessments", json=body).json()["id"]
    return token


def test_compare_lists_the_answers_and_priorities_that_differ(
    client: TestClient, catalogue: Catalogue
) -> None:
    before = ARCHETYPES["brokerage"]
    after = before | {"staffing": "ample", "budget": "flexible"}
    a = _save(client, before, "Before")
    b = _save(client, after, "After", weights={"outcomes": 3})
    page = parse(client.get("/compare", params={"a": a, "b": f"http://testserver/r/{b}"}).text)
    rows = one(page, "table.differences-table tbody").select("tr")
    topics = [text_of(one(r, "th")) for r in rows]
    assert set(topics) == {"Staffing", "Budget", "Outcomes"}
    staffing = rows[topics.index("Staffing")]
    cells = [text_of(td) for td in staffing.select("td")]
    assert cells[0] == catalogue.question("staffing").option("limited").label
    assert cells[1] == catalogue.question("staffing").option("ample").label
    outcomes = rows[topics.index("Outcomes")]
    assert "Priority: critical (3)" in text_of(outcomes.select("td")[1])
    assert "Priority: above normal (1.5)" in text_of(outcomes.select("td")[0])
    moved = text_of(one(page, ".moved-most"))
    assert moved.startswith(f"Moved the scores most: {topics[0]}")
    # The form below is there to compare others, with both fields as they were sent.
    assert one(page, "#compare-a")["value"] == a
    assert not page.select(".error-summary")


def test_a_bad_link_keeps_both_inputs_and_says_so_beside_the_field(client: TestClient) -> None:
    a = _save(client, ARCHETYPES["clinical"], "Kept")
    response = client.get("/compare", params={"a": a, "b": "http://testserver/r/no-such-result"})
    assert response.status_code == 404
    page = parse(response.text)
    assert text_of(one(page, "title")).startswith("Error:")
    assert one(page, "#compare-a")["value"] == a
    assert one(page, "#compare-b")["value"] == "http://testserver/r/no-such-result"
    field = one(page, "#compare-b")
    assert field["aria-invalid"] == "true"
    assert "compare-b-error" in str(field["aria-describedby"]).split()
    assert "no saved result at this link" in text_of(one(page, "#compare-b-error"))
    assert not page.select("#compare-a-error")
    assert one(page, ".error-summary a")["href"] == "#compare-b"


def test_a_missing_second_link_is_an_error_once_the_form_is_sent(client: TestClient) -> None:
    a = _save(client, ARCHETYPES["clinical"], "Kept")
    prefilled = client.get("/compare", params={"a": a})  # "compare with another result"
    assert prefilled.status_code == 200
    assert not parse(prefilled.text).select(".field-error")
    sent = client.get("/compare", params={"a": a, "b": ""})
    assert sent.status_code == 422
    page = parse(sent.text)
    assert "Paste the share link of result B" in text_of(one(page, "#compare-b-error"))
    assert one(page, "#compare-a")["value"] == a
    assert client.get("/compare", params={"a": "", "b": ""}).status_code == 200
