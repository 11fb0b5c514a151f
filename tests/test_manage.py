"""The creator's manage pages: the link kept (copy, text file), delete after a confirmation
page of its own."""

import re

from fastapi.testclient import TestClient

from helpers.html import manage_link, one, parse, text_of


def _created(client: TestClient, label: str = "Riverside") -> tuple[str, str]:
    response = client.post("/assess", data={"acuity": "high", "label": label})
    assert response.status_code == 200  # followed the 303 to the new result
    link = manage_link(response.text)
    token = response.url.path.removeprefix("/r/")
    return token, link.removeprefix("http://testserver")


def _csrf(html: str) -> dict[str, str]:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return {"csrf_token": match.group(1)}


def test_the_new_result_shows_the_whole_manage_link_to_copy_or_download(
    client: TestClient,
) -> None:
    response = client.post("/assess", data={"acuity": "high"})
    page = parse(response.text)
    box = one(page, ".manage-once")
    field = one(box, "textarea#manage-url")  # wraps: a phone shows all of it
    assert field.has_attr("readonly")
    assert text_of(one(box, "label[for=manage-url]")) == "Manage link"
    assert one(box, "button[data-copy-target=manage-url]").has_attr("hidden")  # JS shows it
    download = one(box, "a[download]")
    assert download["href"] == field.get_text().strip().removeprefix("http://testserver") + (
        "/link.txt"
    )
    # After the answer: the verdict comes first in the page.
    html = response.text
    assert html.index('id="recommended-title"') < html.index('id="manage-url"')


def test_the_manage_link_file_holds_both_links_and_is_private(client: TestClient) -> None:
    token, manage = _created(client, label="Riverside Health")
    response = client.get(f"{manage}/link.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert re.fullmatch(
        r'attachment; filename="cm-advisor-riverside-health-[\d-]+-manage-link\.txt"',
        response.headers["content-disposition"],
    )
    assert f"http://testserver{manage}\n" in response.text
    assert f"http://testserver/r/{token}\n" in response.text
    assert "“Riverside Health”" in response.text
    wrong = manage[: manage.rindex("/")] + "/not-the-key"
    assert client.get(f"{wrong}/link.txt").status_code == 403


def test_the_manage_page_offers_its_own_link_and_asks_before_deleting(
    client: TestClient,
) -> None:
    token, manage = _created(client)
    page = parse(client.get(manage).text)
    assert text_of(one(page, "#manage-url")) == f"http://testserver{manage}"
    delete = one(page, ".danger-zone a.button-danger")  # a link to a page, not a button
    assert delete["href"] == f"{manage}/delete"
    assert not page.select(f"form[action='{manage}/delete']")

    confirm = client.get(f"{manage}/delete")
    assert confirm.status_code == 200
    assert confirm.headers["cache-control"] == "no-store"
    asked = parse(confirm.text)
    assert text_of(one(asked, "h1")) == "Delete this result?"
    form = one(asked, "form.confirm-form")
    assert form["method"] == "post" and form["action"] == f"{manage}/delete"
    assert text_of(one(form, "button[type=submit]")) == "Yes, delete it for good"
    assert one(form, "a")["href"] == manage  # keep it
    assert client.get(f"/r/{token}").status_code == 200  # looking at the page deleted nothing

    done = client.post(f"{manage}/delete", data=_csrf(confirm.text))
    assert done.status_code == 200 and "Result deleted" in done.text
    assert client.get(f"/r/{token}").status_code == 404
    assert client.get(f"{manage}/delete").status_code == 404


def test_the_confirmation_page_refuses_a_wrong_key(client: TestClient) -> None:
    token, manage = _created(client)
    wrong = manage[: manage.rindex("/")] + "/not-the-key"
    assert client.get(f"{wrong}/delete").status_code == 403
    assert client.get(f"/r/{token}").status_code == 200
