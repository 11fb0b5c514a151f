"""Group rounds through the browser forms: start a round, answer it (role, initials, save
and resume, the private edit link), the lead's page, the group view, closing and its
stored result, and who can open what."""

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from cm_advisor.engine import Catalogue
from cm_advisor.web import forms
from cm_advisor.web.app import create_app
from helpers import groups, reference
from helpers.archetypes import ARCHETYPES
from helpers.html import checked, one, parse, selected, text_of
from helpers.settings import HermeticSettings as Settings

ROLES = "\n".join(groups.ROLES)


@pytest.fixture
def browser(settings: Settings) -> Iterator[TestClient]:
    """A client that does not follow redirects, as a test of POST → 303 → GET wants."""
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def csrf(client: TestClient, page: str = "/groups/new") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found, f"{page} carries no CSRF field"
    return found.group(1)


def start(client: TestClient, label: str = "Riverside Health", roles: str = ROLES) -> str:
    """Start a round through the form; its lead page's path (without ?new=1)."""
    made = client.post("/groups", data={"csrf_token": csrf(client), "label": label, "roles": roles})
    assert made.status_code == 303, made.text
    return made.headers["location"].removesuffix("?new=1")


def invite_of(lead: str) -> str:
    return lead.split("/")[2]


def answer(
    client: TestClient,
    catalogue: Catalogue,
    lead: str,
    answers: dict[str, Any],
    role: str = "",
    initials: str = "",
) -> str:
    """Answer through the invitation; the response's edit link (without ?saved=1)."""
    invite = f"/groups/{invite_of(lead)}"
    fields = forms.to_fields(catalogue, answers) | {"role": role, "initials": initials}
    made = client.post(invite, data={"csrf_token": csrf(client, invite), **fields})
    assert made.status_code == 303, made.text
    return made.headers["location"].removesuffix("?saved=1")


def assert_no_initials(page: Any) -> None:
    """No respondent's initials anywhere on the page but in the evidence's author lists
    (where "Buttar AB" is a cited author, not a respondent)."""
    for cited in page.select("#evidence"):
        cited.decompose()
    shown = text_of(one(page, "main"))
    for _, code, _ in groups.RESPONDENTS:
        assert re.search(rf"\b{code}\b", shown) is None, code


def ranking(page: Any) -> list[tuple[str, str]]:
    """The models and scores a result shows, in order."""
    return [
        (text_of(one(li, ".rank-head h3 a")), text_of(one(li, ".score-value")))
        for li in page.select("ol.ranking > li.rank-item")
    ]


def test_a_round_starts_from_a_form_and_shows_its_lead_link_once(browser: TestClient) -> None:
    made = browser.post(
        "/groups",
        data={"csrf_token": csrf(browser), "label": "Riverside", "roles": ROLES + "\nNursing"},
    )
    assert made.status_code == 303
    assert made.headers["location"].endswith("?new=1")
    first = browser.get(made.headers["location"])
    assert first.headers["cache-control"] == "no-store"
    page = parse(first.text)
    lead = urlsplit(made.headers["location"]).path
    assert one(page, "#lead-url")["value"] == f"http://testserver{lead}"
    assert one(page, "#invite-url")["value"] == f"http://testserver/groups/{invite_of(lead)}"
    assert text_of(one(page, "h1")) == "Riverside"
    again = parse(browser.get(lead).text)
    assert again.select("#lead-url") == []  # shown once
    assert text_of(one(again, "#responses-title")) == "No responses yet"


def test_a_bad_round_form_is_shown_again_with_its_values_and_errors_by_the_fields(
    browser: TestClient,
) -> None:
    response = browser.post(
        "/groups",
        data={"csrf_token": csrf(browser), "label": "", "roles": ROLES, "closes_on": "2000-01-01"},
    )
    assert response.status_code == 422
    page = parse(response.text)
    assert one(page, "#label")["aria-invalid"] == "true"
    assert "label" in text_of(one(page, "#label-error")).lower()
    assert "past" in text_of(one(page, "#closes_on-error"))
    assert text_of(one(page, "#roles")) == " ".join(groups.ROLES)
    assert one(page, "#closes_on")["value"] == "2000-01-01"
    assert [a["href"] for a in page.select(".error-summary a")] == ["#label", "#closes_on"]
    forged = browser.post("/groups", data={"csrf_token": "x" * 43, "label": "Acme"})
    assert forged.status_code == 403


def test_the_invitation_opens_the_questionnaire_with_roles_and_no_patient_data(
    browser: TestClient, catalogue: Catalogue
) -> None:
    lead = start(browser)
    response = browser.get(f"/groups/{invite_of(lead)}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = parse(response.text)
    assert [str(o["value"]) for o in one(page, "#role").select("option")] == ["", *groups.ROLES]
    assert one(page, "#initials")["maxlength"] == "8"
    assert "Do not enter patient data" in text_of(one(page, ".group-note"))
    assert len(page.select("fieldset.question")) == len(catalogue.questionnaire.questions)
    assert page.select("#label, #notes") == []  # a response has no label or notes
    assert one(page, "form.questionnaire")["action"] == f"/groups/{invite_of(lead)}"
    draft = one(page, "button[data-save-draft]")
    assert draft["formaction"] == f"/groups/{invite_of(lead)}/drafts"


def test_a_response_gets_its_own_edit_link_and_changes_until_the_round_closes(
    browser: TestClient, catalogue: Catalogue
) -> None:
    lead = start(browser)
    edit = answer(browser, catalogue, lead, ARCHETYPES["clinical"], "Nursing", "JK")
    saved = parse(browser.get(edit + "?saved=1").text)
    assert one(saved, "#edit-url")["value"] == f"http://testserver{edit}"
    assert checked(saved, "acuity") == ["high"]
    assert selected(saved, "role") == "Nursing"
    assert one(saved, "#initials")["value"] == "JK"
    assert saved.select("button[data-save-draft]") == []
    assert one(saved, "form.questionnaire")["action"] == edit

    fields = forms.to_fields(catalogue, ARCHETYPES["intensive"]) | {"role": "Finance"}
    changed = browser.post(edit, data={"csrf_token": csrf(browser, edit), **fields})
    assert changed.status_code == 303 and changed.headers["location"] == edit + "?saved=1"
    again = parse(browser.get(edit).text)
    assert checked(again, "acuity") == ["very_high"] and selected(again, "role") == "Finance"
    assert one(again, "#initials")["value"] == ""

    token = csrf(browser, lead)
    assert browser.post(lead + "/close", data={"csrf_token": token}).status_code == 303
    for response in (
        browser.get(edit),
        browser.post(edit, data={"csrf_token": token, **fields}),
        browser.get(f"/groups/{invite_of(lead)}"),
        browser.post(f"/groups/{invite_of(lead)}", data={"csrf_token": token, **fields}),
    ):
        assert response.status_code == 409
        assert text_of(one(parse(response.text), "h1")) == "This round has closed"


def test_a_bad_response_is_shown_again_with_answers_kept_and_errors_by_the_fields(
    browser: TestClient, catalogue: Catalogue
) -> None:
    lead = start(browser)
    invite = f"/groups/{invite_of(lead)}"
    fields = forms.to_fields(catalogue, ARCHETYPES["clinical"])
    data = fields | {"role": "Chief", "initials": "ABCDEFGHIJ", "budget": "plenty"}
    response = browser.post(invite, data={"csrf_token": csrf(browser, invite), **data})
    assert response.status_code == 422
    page = parse(response.text)
    assert checked(page, "acuity") == ["high"]  # kept
    assert one(page, "#initials")["value"] == "ABCDEFGHIJ"
    assert "roles in the list" in text_of(one(page, "#role-error"))
    assert one(page, "#role")["aria-invalid"] == "true"
    assert one(page, "#initials-error") and one(page, "#budget-error")
    links = [a["href"] for a in page.select(".error-summary a")]
    assert links[:2] == ["#role", "#initials"]
    assert "#budget-plenty" not in links and any(link.startswith("#budget") for link in links)


def test_save_and_finish_later_keeps_the_round_s_answers_and_role(
    browser: TestClient, catalogue: Catalogue
) -> None:
    lead = start(browser)
    invite = f"/groups/{invite_of(lead)}"
    data = {"acuity": "low", "role": "Finance", "initials": "IJ"}
    saved = browser.post(f"{invite}/drafts", data={"csrf_token": csrf(browser, invite), **data})
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert location.startswith(f"{invite}/resume/") and location.endswith("/saved")
    link = parse(browser.get(location).text)
    resume = urlsplit(str(one(link, "#resume-url")["value"])).path
    assert resume == location.removesuffix("/saved")
    page = parse(browser.get(resume).text)
    assert checked(page, "acuity") == ["low"]
    assert selected(page, "role") == "Finance" and one(page, "#initials")["value"] == "IJ"
    assert one(page, "form.questionnaire")["action"] == invite  # submitting answers the round
    assert "Welcome back" in text_of(one(page, ".resume-note"))


def test_a_response_link_opens_its_own_response_only(
    browser: TestClient, catalogue: Catalogue
) -> None:
    lead = start(browser)
    first = answer(browser, catalogue, lead, ARCHETYPES["clinical"], "Nursing", "Q.X.")
    second = answer(browser, catalogue, lead, ARCHETYPES["brokerage"], "Finance", "Z.Z.")
    mixed = first.rsplit("/", 1)[0] + "/" + second.rsplit("/", 1)[1]  # A's token, B's key
    for path in (mixed, first.rsplit("/", 1)[0] + "/" + "x" * 43):
        response = browser.get(path)
        assert response.status_code == 403
        assert "Z.Z." not in response.text and "Q.X." not in response.text
    own = browser.get(first).text
    assert "Z.Z." not in own and "Finance" not in text_of(one(parse(own), "#initials").parent)
    other_round = start(browser, "Elsewhere")
    moved = first.replace(invite_of(lead), invite_of(other_round))
    assert browser.get(moved).status_code == 404


def test_the_invitation_cannot_open_the_lead_page_or_the_group_view(
    browser: TestClient, catalogue: Catalogue
) -> None:
    lead = start(browser)
    edit = answer(browser, catalogue, lead, ARCHETYPES["clinical"], "Nursing", "Q.X.")
    invite = invite_of(lead)
    response_key = edit.rsplit("/", 1)[1]
    for key in ("x" * 43, response_key, invite):
        for page in ("", "/view"):
            refused = browser.get(f"/groups/{invite}/lead/{key}{page}")
            assert refused.status_code == 403
            assert "Q.X." not in refused.text
        token = csrf(browser, f"/groups/{invite}")
        close = browser.post(f"/groups/{invite}/lead/{key}/close", data={"csrf_token": token})
        assert close.status_code == 403
    invitation = browser.get(f"/groups/{invite}").text
    assert "Q.X." not in invitation and "/lead/" not in invitation


def test_five_people_in_three_roles_in_the_group_view(
    browser: TestClient, catalogue: Catalogue
) -> None:
    """The group view lists exactly the two disagreements, and "discuss these first" only
    the answer that changes the winner (checked by rescoring with the reference)."""
    lead = start(browser)
    for role, initials, answers in groups.RESPONDENTS:
        answer(browser, catalogue, lead, answers, role, initials)
    lead_page = parse(browser.get(lead).text)
    rows = [
        [text_of(c) for c in tr.select("th, td")] for tr in lead_page.select("#by-role tbody tr")
    ]
    assert rows == [["Executive", "2"], ["Nursing", "2"], ["Finance", "1"]]
    initials = [text_of(td) for td in lead_page.select("#respondents td.initials")]
    assert initials == [i for _, i, _ in groups.RESPONDENTS]  # for the lead only

    response = browser.get(lead + "/view")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    view = parse(response.text)
    combined = text_of(one(view, ".group-verdict"))
    assert "5 responses (Executive 2, Nursing 2, Finance 1)" in combined
    listed = [a["href"].removeprefix("#question-") for a in view.select("#disagreements li a")]
    assert set(listed) == groups.DISAGREEMENTS and len(listed) == 2
    expected = groups.flips(groups.PROFILE)
    discussed = [li["id"].removeprefix("discuss-") for li in view.select(".discuss-list > li")]
    assert discussed == list(expected) == ["staff_mix"]
    flip = text_of(one(view, "#discuss-staff_mix li"))
    ((answer_id, model),) = expected["staff_mix"]
    assert catalogue.question("staff_mix").option(answer_id).label in flip
    assert catalogue.model(model).name in flip
    assert "Respondent 1 (Executive)" in flip
    members = [[text_of(c) for c in tr.select("th, td")] for tr in view.select("#members tbody tr")]
    own = [reference.winner(reference.RAW, a) for _, _, a in groups.RESPONDENTS]
    assert members == [
        [f"Respondent {n} ({role})", catalogue.model(m).name]
        for n, ((role, _, _), m) in enumerate(zip(groups.RESPONDENTS, own, strict=True), 1)
    ]
    assert_no_initials(view)
    cards = [a["id"].removeprefix("question-") for a in view.select("article.group-question")]
    assert cards == ["staff_mix", "acuity"]  # the one that changes the winner first
    agreed = [tr["id"].removeprefix("question-") for tr in view.select("#agreed tbody tr")]
    assert sorted(cards + agreed) == sorted(q.id for q in catalogue.questionnaire.questions)
    executive = one(view, "#question-acuity tbody tr")
    assert [text_of(c) for c in executive.select("th, td")] == [
        "Executive",
        "; ".join(catalogue.question("acuity").option(o).label for o in ("very_high", "moderate")),
    ]


def test_closing_stores_a_result_whose_link_shows_it_for_ever(
    browser: TestClient, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    lead = start(browser)
    for role, initials, answers in groups.RESPONDENTS:
        answer(browser, catalogue, lead, answers, role, initials)
    before = parse(browser.get(lead + "/view").text)
    closed = browser.post(lead + "/close", data={"csrf_token": csrf(browser, lead)})
    assert closed.status_code == 303 and closed.headers["location"] == lead
    again = browser.post(lead + "/close", data={"csrf_token": csrf(browser, lead)})
    assert again.status_code == 409
    page = parse(browser.get(lead).text)
    share = urlsplit(str(one(page, "#result-url")["value"])).path
    assert page.select("form[action$='/close']") == []
    shared = browser.get(share)
    assert shared.status_code == 200
    assert shared.headers["cache-control"] == "private, no-cache"
    etag = shared.headers["etag"]
    assert browser.get(share, headers={"If-None-Match": etag}).status_code == 304
    page = parse(shared.text)
    assert_no_initials(page)
    assert text_of(one(page, "#discuss")) == text_of(one(before, "#discuss"))

    shown = ranking(before)
    order = reference.order(reference.RAW, groups.PROFILE)
    assert [name for name, _ in shown] == [catalogue.model(m).name for m in order]
    assert ranking(page) == shown

    changed = groups.changed_catalogue(tmp_path)
    assert groups.order_with(changed, groups.PROFILE) != order  # a fresh ranking would differ
    later = Settings(data_dir=settings.data_dir, catalogue_path=changed)
    with TestClient(create_app(later)) as after:
        reread = parse(after.get(share).text)
        assert ranking(reread) == shown
        assert text_of(one(reread, "#discuss")) == text_of(one(before, "#discuss"))
        assert text_of(one(reread, "#members")) == text_of(one(before, "#members"))
        assert one(reread, ".catalogue-changed")


def test_a_new_round_from_an_old_one_and_deleting_with_a_confirmation(
    browser: TestClient, catalogue: Catalogue
) -> None:
    lead = start(browser)
    answer(browser, catalogue, lead, ARCHETYPES["clinical"], "Nursing", "JK")
    token = csrf(browser, lead)
    browser.post(lead + "/close", data={"csrf_token": token})
    form = parse(browser.get(lead).text)
    assert one(form, "#next-label")["value"] == "Riverside Health"
    assert text_of(one(form, "#next-roles")) == " ".join(groups.ROLES)
    assert one(form, "#next-carry_over").has_attr("checked")
    bad = browser.post(lead + "/next", data={"csrf_token": token, "label": ""})
    assert bad.status_code == 422 and one(parse(bad.text), "#next-label-error")
    made = browser.post(
        lead + "/next",
        data={"csrf_token": token, "label": "Round 2", "roles": "Nursing", "carry_over": "yes"},
    )
    assert made.status_code == 303
    second = made.headers["location"].removesuffix("?new=1")
    assert second != lead
    page = parse(browser.get(second).text)
    assert text_of(one(page, "#responses-title")) == "1 response"
    assert "carried over" in text_of(one(page, "#respondents"))

    unconfirmed = browser.post(lead + "/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and one(parse(unconfirmed.text), "#confirm-error")
    assert browser.get(lead).status_code == 200
    deleted = browser.post(lead + "/delete", data={"csrf_token": token, "confirm": "yes"})
    assert deleted.status_code == 200 and "Round deleted" in deleted.text
    assert browser.get(lead).status_code == 404
    assert browser.get(f"/groups/{invite_of(lead)}").status_code == 404


@pytest.mark.parametrize("text", ["<script>x</script>", '"><em>x</em>'])
def test_labels_roles_and_initials_are_text_everywhere(
    browser: TestClient, catalogue: Catalogue, text: str
) -> None:
    lead = start(browser, label=text, roles=f"{text}\nNursing")
    invite = f"/groups/{invite_of(lead)}"
    edit = answer(browser, catalogue, lead, ARCHETYPES["clinical"], text, "<b>x</b>")
    pages = [invite, edit, lead, lead + "/view"]
    browser.post(lead + "/close", data={"csrf_token": csrf(browser, lead)})
    share = urlsplit(str(one(parse(browser.get(lead).text), "#result-url")["value"])).path
    pages += [share, invite, f"/r/{share.rsplit('/', 1)[1]}"]
    for path in pages:
        page = parse(browser.get(path).text)
        assert [s for s in page.select("script") if text_of(s) == "x"] == [], path
        assert page.select("em, b") == [], path
    assert text_of(one(parse(browser.get(lead).text), "h1")) == text


def test_the_forms_obey_html_writes_off(tmp_path: Path, catalogue: Catalogue) -> None:
    settings = Settings(data_dir=tmp_path, html_writes=False)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        made = client.post("/api/v1/groups", json={"label": "Acme"}).json()
        invite, key = made["id"], made["lead_key"]
        token = csrf(client, f"/groups/{invite}")
        for path in (
            "/groups",
            f"/groups/{invite}",
            f"/groups/{invite}/drafts",
            f"/groups/{invite}/lead/{key}/close",
            f"/groups/{invite}/lead/{key}/next",
            f"/groups/{invite}/lead/{key}/delete",
        ):
            response = client.post(path, data={"csrf_token": token, "label": "x"})
            assert response.status_code == 403, path


def test_the_rate_limit_applies_to_form_responses(tmp_path: Path, catalogue: Catalogue) -> None:
    with TestClient(
        create_app(Settings(data_dir=tmp_path, rate_limit="2/minute")), follow_redirects=False
    ) as client:
        lead = start(client)  # one
        answer(client, catalogue, lead, ARCHETYPES["clinical"])  # two
        invite = f"/groups/{invite_of(lead)}"
        refused = client.post(invite, data={"csrf_token": csrf(client, invite), "acuity": "low"})
        assert refused.status_code == 429


def test_group_paths_leave_no_secret_in_the_logs(
    browser: TestClient, catalogue: Catalogue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cm_advisor.access")
    lead = start(browser)
    edit = answer(browser, catalogue, lead, ARCHETYPES["clinical"])
    browser.get(edit)
    browser.get(lead + "/view")
    secrets = {*lead.split("/")[2:], *edit.split("/")[2:]} - {"lead", "responses"}
    assert len(secrets) == 4  # the invitation, the lead key, the response's token and key
    logged = caplog.text
    assert "/groups/…/lead/…/view" in logged and "/groups/…/responses/…" in logged
    assert not any(secret in logged for secret in secrets)


def test_an_unknown_round_and_bad_tokens_are_404s(browser: TestClient) -> None:
    for path in (
        "/groups/never-issued",
        "/groups/never-issued/lead/key",
        "/groups/never-issued/responses/a/b",
        "/groups/%00",
        "/groups/results/never-issued",
        "/groups/never-issued/resume/draft",
    ):
        assert browser.get(path).status_code == 404, path


def test_the_group_view_downloads_its_report_and_workbook(
    browser: TestClient, catalogue: Catalogue
) -> None:
    """The lead downloads the live group result as the PDF report and the workbook a
    single result has: the combined answers' winner, the round's label, and no link that
    would let a reader into the round; nothing to download before anyone answered."""
    lead = start(browser, label="Riverside Health")
    view = parse(browser.get(lead + "/view").text)
    assert view.select("a[href$='/view.pdf']") == []
    assert browser.get(lead + "/view.pdf").status_code == 409
    for role, initials, answers in groups.RESPONDENTS:
        answer(browser, catalogue, lead, answers, role, initials)
    view = parse(browser.get(lead + "/view").text)
    pdf_link = one(view, ".downloads a[href$='/view.pdf']")["href"]
    xlsx_link = one(view, ".downloads a[href$='/view.xlsx']")["href"]
    winner = catalogue.model(reference.winner(reference.RAW, groups.PROFILE)).name

    pdf = browser.get(pdf_link)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    assert "riverside-health" in pdf.headers["content-disposition"]
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    assert "Riverside Health" in flat and winner in flat
    assert invite_of(lead) not in flat and "/lead/" not in flat

    book = load_workbook(io.BytesIO(browser.get(xlsx_link).content))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Label"] == "Riverside Health"
    assert winner in " ".join(str(v) for v in summary.values())
    assert not any(invite_of(lead) in str(v) for v in summary.values())
