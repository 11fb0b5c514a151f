"""Saved assessments over JSON: create, read and delete with the manage key."""

# No `from __future__ import annotations`: FastAPI must see the request model built at run time.

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response
from pydantic import BaseModel, Field

from cm_advisor import engine
from cm_advisor.engine import Result
from cm_advisor.storage import Assessment, WrongKey
from cm_advisor.web.conditional import NO_STORE
from cm_advisor.web.deps import CatalogueDep, StoreDep
from cm_advisor.web.errors import ErrorBody
from cm_advisor.web.guards import ApiKeyRequired, spend_creation
from cm_advisor.web.schemas import plain
from cm_advisor.web.urls import Urls

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "API keys are configured and none (or a wrong one) was sent."},
    404: {"description": "No assessment with this id."},
    429: {"description": "Too many new assessments from this address; see Retry-After."},
    422: {"model": ErrorBody, "description": "A field is wrong; `allowed` lists its values."},
    503: {"description": "The database is unavailable; retry later."},
}


class StoredAssessment(BaseModel):
    id: str = Field(description="The share token: also the last part of `url`.")
    url: str
    created_at: datetime
    label: str
    notes: str
    catalogue_version: str
    catalogue_hash: str
    engine_version: str
    result: Result


class CreatedAssessment(StoredAssessment):
    manage_url: str = Field(description="Private: edit or delete. Shown only once.")
    manage_key: str = Field(description="The secret in `manage_url`; send it as X-Manage-Key.")


def stored(request: Request, a: Assessment, **extra: str) -> StoredAssessment:
    """The API's view of a saved assessment; `extra` adds the one-time manage link."""
    kind = CreatedAssessment if extra else StoredAssessment
    urls: Urls = request.app.state.urls
    return kind(
        id=a.token,
        url=urls.absolute(request, urls.result(a.token)),
        created_at=a.created_at,
        label=a.label,
        notes=a.notes,
        catalogue_version=a.catalogue_version,
        catalogue_hash=a.catalogue_hash,
        engine_version=a.engine_version,
        result=a.result,
        **extra,
    )


_FIELDS = list(CreatedAssessment.model_fields)
_BEFORE = set(_FIELDS[: _FIELDS.index("result")])
_AFTER = set(_FIELDS[_FIELDS.index("result") + 1 :])


def created_json(made: StoredAssessment, result_json: str) -> bytes:
    """The 201 body, byte for byte what FastAPI makes of `made` through the response model,
    but with the result's JSON as just stored, not serialised a second time (it is most of
    the body, and ~70 µs): the fields before and after it are serialised on their own and
    joined around it. Tests compare the two ways on real results."""
    parts = (
        made.model_dump_json(by_alias=True, include=_BEFORE)[1:-1],
        f'"result":{result_json}',
        made.model_dump_json(by_alias=True, include=_AFTER)[1:-1],
    )
    return ("{" + ",".join(part for part in parts if part) + "}").encode()


def assessments_router(request_model: Any) -> APIRouter:
    """Build the routes for this catalogue's request model (see schemas.py)."""
    router = APIRouter(prefix="/api/v1/assessments", tags=["assessments"])

    @router.post(
        "",
        status_code=201,
        response_model=CreatedAssessment,
        responses=ERRORS,
        dependencies=[ApiKeyRequired],
    )
    async def create(
        body: request_model, request: Request, catalogue: CatalogueDep, store: StoreDep
    ) -> Response:
        """Score and save: the result, answers and catalogue version never change afterwards."""
        # Scoring is short CPU work: on the event loop, like /api/v1/score. The insert waits
        # for the group commit (storage/group_commit.py) without holding a thread.
        result = engine.score(
            catalogue, plain(body.answers), plain(body.weights), plain(body.population) or None
        )
        spend_creation(request)  # only a valid request counts against the rate limit
        created = await store.create_async(result, body.label or "", body.notes or "")
        a = created.assessment
        urls: Urls = request.app.state.urls
        made = stored(
            request,
            a,
            manage_url=urls.absolute(request, urls.manage(a.token, created.manage_key)),
            manage_key=created.manage_key,
        )
        body_json = created_json(made, created.result_json)
        return Response(body_json, status_code=201, media_type="application/json", headers=NO_STORE)

    @router.get(
        "/{assessment_id}",
        response_model=StoredAssessment,
        response_model_exclude_unset=True,  # only the fields the stored result has
        responses=ERRORS,
    )
    def read(
        assessment_id: str, request: Request, response: Response, store: StoreDep
    ) -> StoredAssessment:
        """A saved assessment exactly as it was computed: a result saved before a field
        existed comes back without that field, as it was stored."""
        found = store.get(assessment_id)
        if found is None:
            raise HTTPException(404, "no assessment with this id", headers=NO_STORE)
        response.headers.update(NO_STORE)
        return stored(request, found)

    @router.delete(
        "/{assessment_id}",
        status_code=204,
        dependencies=[ApiKeyRequired],
        responses={**ERRORS, 403: {"description": "Wrong or missing manage key."}},
    )
    def delete(
        assessment_id: str,
        store: StoreDep,
        x_manage_key: Annotated[str, Header(description="The key from `manage_url`.")] = "",
    ) -> Response:
        """Delete for good; the share link then answers 404."""
        if store.get(assessment_id) is None:
            raise HTTPException(404, "no assessment with this id")
        try:
            store.delete(assessment_id, x_manage_key)
        except WrongKey:
            raise HTTPException(403, "wrong manage key; nothing was deleted") from None
        return Response(status_code=204)

    return router
