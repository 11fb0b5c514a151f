"""Group rounds over JSON: create a round, respond and edit with the response's key, read
the group view and close with the lead key."""

# No `from __future__ import annotations`: FastAPI must see the request model built at run time.

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from cm_advisor.engine import InvalidInput, check_input
from cm_advisor.limits import INITIALS_MAX, LABEL_MAX, ROLE_MAX, ROLES_MAX
from cm_advisor.storage import NoResponses, Round, RoundClosed, RoundFull, WrongKey
from cm_advisor.storage.groups import Response as StoredResponse
from cm_advisor.web import group_rounds
from cm_advisor.web.conditional import NO_STORE
from cm_advisor.web.deps import CatalogueDep, StoreDep
from cm_advisor.web.errors import ErrorBody
from cm_advisor.web.group_rounds import Status
from cm_advisor.web.group_view import GroupView
from cm_advisor.web.guards import ApiKeyRequired, spend_creation
from cm_advisor.web.schemas import plain
from cm_advisor.web.urls import Urls

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "API keys are configured and none (or a wrong one) was sent."},
    404: {"description": "No round (or response) with this id."},
    422: {"model": ErrorBody, "description": "A field is wrong; `allowed` lists its values."},
    429: {"description": "Too many new rounds or responses from this address; see Retry-After."},
    503: {"description": "The database is unavailable; retry later."},
}
Documented = dict[int | str, dict[str, Any]]
LEAD_ONLY: Documented = {403: {"description": "Wrong or missing lead key (X-Lead-Key)."}}
RESPONDENT_ONLY: Documented = {
    403: {"description": "Wrong or missing response key (X-Response-Key)."}
}
CLOSED: Documented = {409: {"description": "The round is closed (or past its closing date)."}}
LeadKey = Annotated[str, Header(description="The key from `lead_url`.")]
ResponseKey = Annotated[str, Header(description="The key from the response's `edit_url`.")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


ROUND_EXAMPLE: dict[str, Any] = {
    "label": "Riverside Health: choosing our model",
    "roles": ["Executive", "Nursing", "Social work", "Finance", "Case managers"],
    "closes_on": "2027-01-31",
}


class RoundRequest(_Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ROUND_EXAMPLE]})

    label: str = Field(min_length=1, max_length=LABEL_MAX, description="What the round is for.")
    roles: list[Annotated[str, Field(min_length=1, max_length=ROLE_MAX)]] = Field(
        default_factory=list,
        max_length=ROLES_MAX,
        description="Optional: the roles respondents choose from, in this order.",
    )
    closes_on: date | None = Field(
        None, description="Optional: the last day responses are taken (UTC); not in the past."
    )


class NextRoundRequest(RoundRequest):
    carry_over: bool = Field(
        True, description="Copy the old round's responses (they get no edit links)."
    )


class RoleCount(BaseModel):
    role: str = Field(description='"" for respondents who gave no role.')
    responses: int


class RoundOut(BaseModel):
    id: str = Field(description="The round's id: also the last part of `invite_url`.")
    invite_url: str = Field(description="Pass it on: it opens the questionnaire for the round.")
    label: str
    roles: list[str]
    created_at: datetime
    closes_on: date | None
    status: Status
    closed_at: datetime | None
    previous_id: str | None = Field(description="The round this one was started from.")


class CreatedRound(RoundOut):
    lead_url: str = Field(description="Private: the lead's page. Shown only once.")
    lead_key: str = Field(description="The secret in `lead_url`; send it as X-Lead-Key.")


class LeadView(RoundOut):
    responses: int
    by_role: list[RoleCount]
    result_id: str | None = Field(description="The stored group result, once closed.")
    result_url: str | None = Field(description="Its share link: shows exactly that result.")
    group: GroupView | None = Field(
        description="Live while the round is open; the stored result once closed; None "
        "while nobody has answered."
    )


class ResponseOut(BaseModel):
    id: str
    group_id: str
    role: str
    initials: str
    created_at: datetime
    updated_at: datetime
    answers: dict[str, Any]
    weights: dict[str, float]
    population: dict[str, Any] | None


class CreatedResponse(ResponseOut):
    edit_url: str = Field(description="Private: change these answers until the round closes.")
    edit_key: str = Field(description="The secret in `edit_url`; send it as X-Response-Key.")


def response_request_model(score_request: type[BaseModel]) -> type[BaseModel]:
    """The score request plus the respondent's optional role and initials."""
    return create_model(
        "GroupResponseRequest",
        __base__=score_request,
        role=(
            str | None,
            Field(
                None,
                max_length=ROLE_MAX,
                description="One of the round's roles.",
                examples=["Nursing"],
            ),
        ),
        initials=(
            str | None,
            Field(
                None,
                max_length=INITIALS_MAX,
                description="Optional; shown to the lead only, never on a shared result.",
                examples=["JK"],
            ),
        ),
    )


def round_out(request: Request, found: Round, kind: type[RoundOut] = RoundOut, **extra: Any) -> Any:
    urls: Urls = request.app.state.urls
    return kind(
        id=found.token,
        invite_url=urls.absolute(request, urls.group_invite(found.token)),
        label=found.label,
        roles=list(found.roles),
        created_at=found.created_at,
        closes_on=group_rounds.closing_day(found),
        status=group_rounds.status(found),
        closed_at=found.closed_at,
        previous_id=found.previous_token,
        **extra,
    )


def response_out(found: Round, r: StoredResponse, **extra: str) -> Any:
    return (CreatedResponse if extra else ResponseOut)(
        id=r.token,
        group_id=found.token,
        role=r.role,
        initials=r.initials,
        created_at=r.created_at,
        updated_at=r.updated_at,
        answers=r.answers,
        weights=r.weights,
        population=r.population,
        **extra,
    )


def groups_router(response_request: Any) -> APIRouter:
    router = APIRouter(prefix="/api/v1/groups", tags=["groups"])

    def _round(store: StoreDep, group_id: str) -> Round:
        found = store.groups.get(group_id)
        if found is None:
            raise HTTPException(404, "no round with this id", headers=NO_STORE)
        return found

    def _lead(store: StoreDep, group_id: str, key: str) -> Round:
        try:
            found = store.groups.lead(group_id, key)
        except WrongKey:
            raise HTTPException(403, "wrong or missing lead key", headers=NO_STORE) from None
        if found is None:
            raise HTTPException(404, "no round with this id", headers=NO_STORE)
        return found

    def _created(request: Request, made: Any) -> Response:
        urls: Urls = request.app.state.urls
        body = round_out(
            request,
            made.round,
            CreatedRound,
            lead_url=urls.absolute(request, urls.group_lead(made.round.token, made.lead_key)),
            lead_key=made.lead_key,
        )
        return Response(
            body.model_dump_json(), 201, media_type="application/json", headers=NO_STORE
        )

    @router.post(
        "",
        status_code=201,
        response_model=CreatedRound,
        responses=ERRORS,
        dependencies=[ApiKeyRequired],
    )
    def create(body: RoundRequest, request: Request, store: StoreDep) -> Response:
        """Open a round: an invitation link to pass on and a private lead link (shown once)."""
        _check_round(body)
        spend_creation(request)
        made = store.groups.create(body.label, body.roles, group_rounds.closes_at(body.closes_on))
        return _created(request, made)

    @router.get("/{group_id}", response_model=LeadView, responses={**ERRORS, **LEAD_ONLY})
    def read(
        group_id: str,
        request: Request,
        response: Response,
        store: StoreDep,
        catalogue: CatalogueDep,
        x_lead_key: LeadKey = "",
    ) -> Any:
        """The lead's view: responses by role and the group view (live while open)."""
        found = _lead(store, group_id, x_lead_key)
        response.headers.update(NO_STORE)
        return _lead_view(request, store, catalogue, found)

    @router.post(
        "/{group_id}/close",
        response_model=LeadView,
        responses={**ERRORS, **LEAD_ONLY, **CLOSED},
        dependencies=[ApiKeyRequired],
    )
    def close(
        group_id: str,
        request: Request,
        response: Response,
        store: StoreDep,
        catalogue: CatalogueDep,
        x_lead_key: LeadKey = "",
    ) -> Any:
        """Freeze the round and store the group result like a single result; 409 if it is
        closed already or nobody has answered."""
        found = _lead(store, group_id, x_lead_key)
        try:
            group_rounds.close(store, catalogue, found)
        except (RoundClosed, NoResponses) as exc:
            raise HTTPException(409, str(exc)) from None
        response.headers.update(NO_STORE)
        return _lead_view(request, store, catalogue, _round(store, group_id))

    @router.post(
        "/{group_id}/next",
        status_code=201,
        response_model=CreatedRound,
        responses={**ERRORS, **LEAD_ONLY},
        dependencies=[ApiKeyRequired],
    )
    def start_next(
        group_id: str,
        body: NextRoundRequest,
        request: Request,
        store: StoreDep,
        x_lead_key: LeadKey = "",
    ) -> Response:
        """A new round from this one (the way to reopen a closed round), with new links."""
        found = _lead(store, group_id, x_lead_key)
        _check_round(body)
        spend_creation(request)
        made = store.groups.start_next(
            found, body.label, body.roles, group_rounds.closes_at(body.closes_on), body.carry_over
        )
        return _created(request, made)

    @router.delete(
        "/{group_id}",
        status_code=204,
        responses={**ERRORS, **LEAD_ONLY},
        dependencies=[ApiKeyRequired],
    )
    def delete(group_id: str, store: StoreDep, x_lead_key: LeadKey = "") -> Response:
        """Delete the round and its responses for good; a stored group result stays (delete
        it through DELETE /api/v1/assessments/{result_id} with the lead key)."""
        store.groups.delete(_lead(store, group_id, x_lead_key))
        return Response(status_code=204)

    @router.post(
        "/{group_id}/responses",
        status_code=201,
        response_model=CreatedResponse,
        responses={**ERRORS, **CLOSED},
        dependencies=[ApiKeyRequired],
    )
    def respond(
        group_id: str,
        body: response_request,
        request: Request,
        store: StoreDep,
        catalogue: CatalogueDep,
    ) -> Response:
        """Answer the round's questionnaire; a private edit link comes back (shown once)."""
        found = _round(store, group_id)
        stored = _checked(catalogue, found, body)
        _open(found)
        spend_creation(request)
        try:
            made = store.groups.respond(found, stored)
        except (RoundClosed, RoundFull) as exc:
            raise HTTPException(409, str(exc)) from None
        urls: Urls = request.app.state.urls
        edit = urls.group_response(found.token, made.response.token, made.key)
        out = response_out(
            found, made.response, edit_url=urls.absolute(request, edit), edit_key=made.key
        )
        return Response(out.model_dump_json(), 201, media_type="application/json", headers=NO_STORE)

    def _own(store: StoreDep, group_id: str, response_id: str, key: str) -> Any:
        try:
            opened = store.groups.response(response_id, key)
        except WrongKey:
            raise HTTPException(403, "wrong or missing response key", headers=NO_STORE) from None
        if opened is None or opened[1].token != group_id:
            raise HTTPException(404, "no such response in this round", headers=NO_STORE)
        return opened

    @router.get(
        "/{group_id}/responses/{response_id}",
        response_model=ResponseOut,
        responses={**ERRORS, **RESPONDENT_ONLY},
    )
    def read_response(
        group_id: str,
        response_id: str,
        response: Response,
        store: StoreDep,
        x_response_key: ResponseKey = "",
    ) -> Any:
        """One's own response (a response key opens that response only)."""
        found, owner = _own(store, group_id, response_id, x_response_key)
        response.headers.update(NO_STORE)
        return response_out(owner, found)

    @router.put(
        "/{group_id}/responses/{response_id}",
        response_model=ResponseOut,
        responses={**ERRORS, **RESPONDENT_ONLY, **CLOSED},
        dependencies=[ApiKeyRequired],
    )
    def edit_response(
        group_id: str,
        response_id: str,
        body: response_request,
        response: Response,
        store: StoreDep,
        catalogue: CatalogueDep,
        x_response_key: ResponseKey = "",
    ) -> Any:
        """Replace one's answers, role and initials; 409 once the round is closed."""
        found, owner = _own(store, group_id, response_id, x_response_key)
        stored = _checked(catalogue, owner, body)
        _open(owner)
        try:
            store.groups.edit(found, stored)
        except RoundClosed as exc:
            raise HTTPException(409, str(exc)) from None
        response.headers.update(NO_STORE)
        return response_out(owner, _own(store, group_id, response_id, x_response_key)[0])

    return router


def _check_round(body: RoundRequest) -> None:
    problems = [
        group_rounds.label_error(body.label),
        group_rounds.closing_date_error(body.closes_on),
    ]
    if any(problems):
        raise InvalidInput([p for p in problems if p is not None])


def _open(found: Round) -> None:
    if not found.is_open():
        raise HTTPException(409, "this round is closed: it takes no more responses or edits")


def _checked(catalogue: Any, found: Round, body: Any) -> Any:
    """The response as stored, or InvalidInput naming every problem (answers and role)."""
    role = (body.role or "").strip()
    problems = [e for e in [group_rounds.role_error(found, role)] if e is not None]
    try:
        checked = check_input(
            catalogue, plain(body.answers), plain(body.weights), plain(body.population) or None
        )
    except InvalidInput as exc:
        raise InvalidInput([*exc.errors, *problems]) from None
    if problems:
        raise InvalidInput(problems)
    return group_rounds.given(
        checked.answers,
        plain(body.weights),
        checked.population,
        role,
        (body.initials or "").strip(),
    )


def _lead_view(request: Request, store: Any, catalogue: Any, found: Round) -> LeadView:
    seen = group_rounds.lead_view(store, catalogue, found)
    urls: Urls = request.app.state.urls
    token = found.result_token
    counted = group_rounds.roles_count([r.role for r in seen.responses], found.roles)
    view: LeadView = round_out(
        request,
        found,
        LeadView,
        responses=len(seen.responses),
        by_role=[RoleCount(role=role, responses=n) for role, n in counted],
        result_id=token,
        result_url=urls.absolute(request, urls.group_result(token)) if token else None,
        group=seen.view,
    )
    return view
