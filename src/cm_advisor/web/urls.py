"""Every path the app links to, built in one place (as Datasette's `Urls`).

Templates get the one `Urls` object as `urls` (`urls.result(token)`, `urls.static(
"css/app.css")`); Python code that builds a link or a redirect asks the same object,
through `request.app.state.urls` or the `UrlsDep` dependency.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

from cm_advisor.web.assets import StaticAssets


class Urls:
    def __init__(self, assets: StaticAssets, public_base_url: str = "") -> None:
        self.assets = assets
        self.public_base_url = public_base_url.rstrip("/")

    def static(self, path: str) -> str:
        """A static file's content-hashed URL, cached by browsers for a year."""
        return self.assets.url(path)

    def home(self) -> str:
        return "/"

    def assess(self, *, from_token: str = "", query: str = "") -> str:
        """The questionnaire: blank, reopened from a saved result, or pre-filled by `query`."""
        if from_token:
            return "/assess?" + urlencode({"from": from_token})
        return "/assess" + (f"?{query}" if query else "")

    def drafts(self) -> str:
        return "/drafts"

    def resume(self, token: str) -> str:
        return f"/resume/{token}"

    def draft_saved(self, token: str) -> str:
        return f"/resume/{token}/saved"

    def models(self) -> str:
        return "/models"

    def model(self, model_id: str) -> str:
        return f"/models/{model_id}"

    def result(self, token: str) -> str:
        return f"/r/{token}"

    def result_json(self, token: str) -> str:
        return f"/r/{token}.json"

    def result_csv(self, token: str) -> str:
        return f"/r/{token}.csv"

    def result_xlsx(self, token: str) -> str:
        return f"/r/{token}.xlsx"

    def result_pdf(self, token: str) -> str:
        return f"/r/{token}.pdf"

    def report(self, token: str) -> str:
        """The PDF report's HTML source, as a page of its own."""
        return f"/r/{token}/report"

    def rescore(self, token: str) -> str:
        return f"/r/{token}/rescore"

    def compare(self, a: str = "") -> str:
        return "/compare" + ("?" + urlencode({"a": a}) if a else "")

    def manage(self, token: str, key: str, *, saved: bool = False) -> str:
        return f"/manage/{token}/{key}" + ("?saved=1" if saved else "")

    def manage_delete(self, token: str, key: str) -> str:
        """The delete confirmation page (GET) and the deletion it confirms (POST)."""
        return f"/manage/{token}/{key}/delete"

    def manage_link_file(self, token: str, key: str) -> str:
        """The manage link as a small text file to keep."""
        return f"/manage/{token}/{key}/link.txt"

    # --- group rounds ---------------------------------------------------------------

    def group_new(self) -> str:
        return "/groups/new"

    def groups(self) -> str:
        return "/groups"

    def group_invite(self, invite: str) -> str:
        """The invitation: the round's questionnaire (and where its form posts)."""
        return f"/groups/{invite}"

    def group_drafts(self, invite: str) -> str:
        return f"/groups/{invite}/drafts"

    def group_resume(self, invite: str, draft: str) -> str:
        return f"/groups/{invite}/resume/{draft}"

    def group_draft_saved(self, invite: str, draft: str) -> str:
        return f"/groups/{invite}/resume/{draft}/saved"

    def group_response(self, invite: str, token: str, key: str, *, saved: bool = False) -> str:
        """A respondent's private edit link."""
        return f"/groups/{invite}/responses/{token}/{key}" + ("?saved=1" if saved else "")

    def group_lead(self, invite: str, key: str, *, new: bool = False) -> str:
        """The lead's private page."""
        return f"/groups/{invite}/lead/{key}" + ("?new=1" if new else "")

    def group_view(self, invite: str, key: str) -> str:
        return f"/groups/{invite}/lead/{key}/view"

    def group_view_pdf(self, invite: str, key: str) -> str:
        """The group view's PDF report, as the round stands now (private, like the view)."""
        return f"/groups/{invite}/lead/{key}/view.pdf"

    def group_view_xlsx(self, invite: str, key: str) -> str:
        return f"/groups/{invite}/lead/{key}/view.xlsx"

    def group_close(self, invite: str, key: str) -> str:
        return f"/groups/{invite}/lead/{key}/close"

    def group_next(self, invite: str, key: str) -> str:
        return f"/groups/{invite}/lead/{key}/next"

    def group_delete(self, invite: str, key: str) -> str:
        return f"/groups/{invite}/lead/{key}/delete"

    def group_result(self, token: str) -> str:
        """A closed round's stored group result: shows exactly that result, for ever."""
        return f"/groups/results/{token}"

    def docs(self) -> str:
        return "/docs"

    def openapi(self) -> str:
        return "/openapi.json"

    def base(self, request: Request) -> str:
        """Where the app is reached: CM_ADVISOR_PUBLIC_BASE_URL when set (never a Host
        header then); otherwise the request's own address (proxy headers only from
        trusted addresses)."""
        return self.public_base_url or str(request.base_url).rstrip("/")

    def absolute(self, request: Request, path: str) -> str:
        """The full URL of a path on this site."""
        return self.base(request) + path
