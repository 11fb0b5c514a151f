"""Real Chromium against the real app: one server and one browser for the whole session.

The app runs as `cm-advisor serve` on a free loopback port with its own SQLite database
in a temporary directory. Without /usr/bin/chromium (Debian's `chromium` package) the
tests skip on a developer's machine and fail under CI=true.
"""

import os
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from helpers import groups
from helpers.archetypes import ARCHETYPES, MIXED
from helpers.browser.harness import CHROMIUM, CHROMIUM_ARGS, GroupSite, Pages, Site
from helpers.servers import running_server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = (
            f"browser tests need Chromium at {CHROMIUM}: install Debian's `chromium` package "
            "(CI installs it)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app, started once; `browser` comes first so a missing Chromium skips before this."""
    data = tmp_path_factory.mktemp("browser-app")
    env = {
        "CM_ADVISOR_DATA_DIR": str(data),
        "CM_ADVISOR_DATABASE_URL": "",
        "CM_ADVISOR_RATE_LIMIT": "",
    }
    with running_server(env, log=data / "server.log") as url, httpx.Client(base_url=url) as api:
        first = api.post("/api/v1/assessments", json=_body("intensive", "Riverside Health"))
        second = api.post("/api/v1/assessments", json=_body("brokerage", "Riverside, after"))
        tie = api.post("/api/v1/assessments", json={"answers": MIXED, "label": "Level pegging"})
        empty = api.post("/api/v1/assessments", json={"answers": {}, "label": "Nothing yet"})
        form = api.get("/assess").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf, "the questionnaire form must carry the CSRF field"
        draft = api.post(
            "/drafts",
            data={"csrf_token": csrf.group(1), "acuity": "high", "label": "Draft for review"},
        )
        assert draft.status_code == 303, draft.text
        open_round, edit = _round(api, "Riverside Health: choosing our model")
        closed_round, _ = _round(api, "Riverside Health, first round")
        lead_key = {"X-Lead-Key": closed_round["lead_key"]}
        closed = api.post(f"/api/v1/groups/{closed_round['id']}/close", headers=lead_key)
        assert closed.status_code == 200, closed.text
        yield Site(
            url=url,
            first=first.json()["id"],
            second=second.json()["id"],
            manage_url=first.json()["manage_url"],
            draft=draft.headers["location"].split("/")[2],
            group=GroupSite(
                invite=_path(open_round["invite_url"]),
                lead=_path(open_round["lead_url"]),
                response=_path(edit),
                closed_invite=_path(closed_round["invite_url"]),
                closed_lead=_path(closed_round["lead_url"]),
                result=_path(closed.json()["result_url"]),
            ),
            tie=tie.json()["id"],
            empty=empty.json()["id"],
        )


def _round(api: httpx.Client, label: str) -> tuple[dict[str, str], str]:
    """A round answered by the five respondents of helpers.groups; its last edit link."""
    made = api.post("/api/v1/groups", json={"label": label, "roles": list(groups.ROLES)})
    assert made.status_code == 201, made.text
    group: dict[str, str] = made.json()
    edit = ""
    for role, initials, answers in groups.RESPONDENTS:
        body = {"answers": answers, "role": role, "initials": initials}
        response = api.post(f"/api/v1/groups/{group['id']}/responses", json=body)
        assert response.status_code == 201, response.text
        edit = response.json()["edit_url"]
    return group, edit


def _path(url: str) -> str:
    return urlsplit(url).path


def _body(archetype: str, label: str) -> dict[str, object]:
    return {"answers": ARCHETYPES[archetype], "label": label}


@pytest.fixture
def pages(browser: Browser, site: Site) -> Iterator[Pages]:
    opened = Pages(browser, site)
    yield opened
    opened.close()
    assert opened.errors == [], "errors in the browser console"


@pytest.fixture
def page(pages: Pages) -> Page:
    """A fresh desktop-sized page with JavaScript on."""
    return pages.new()
