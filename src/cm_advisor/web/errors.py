"""One error shape for every 422: the field, what is wrong, and the allowed values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from cm_advisor.engine import Catalogue, FieldError, InvalidInput
from cm_advisor.engine.answers import WEIGHT_HELP


class ErrorItem(BaseModel):
    field: str
    msg: str
    allowed: list[str] = []
    loc: list[str | int] = []
    type: str = "value_error"


class ErrorBody(BaseModel):
    detail: list[ErrorItem]


def from_field_errors(errors: Sequence[FieldError]) -> list[ErrorItem]:
    return [
        ErrorItem(
            field=e.field,
            msg=e.message,
            allowed=list(e.allowed),
            loc=["body", *e.field.split(".")],
        )
        for e in errors
    ]


def from_pydantic(catalogue: Catalogue, errors: Sequence[Any]) -> list[ErrorItem]:
    """Rewrite FastAPI's validation errors so each names its field and what it may be."""
    items = []
    for err in errors:
        loc = [p for p in err.get("loc", ()) if p != "body"]
        field = ".".join(str(p) for p in loc) or "body"
        items.append(
            ErrorItem(
                field=field,
                msg=str(err.get("msg", "invalid value")),
                allowed=_allowed(catalogue, loc, str(err.get("type", ""))),
                loc=list(err.get("loc", ())),
                type=str(err.get("type", "value_error")),
            )
        )
    return items


def _allowed(catalogue: Catalogue, loc: list[Any], kind: str) -> list[str]:
    questions = {q.id: q for q in catalogue.questionnaire.questions}
    if len(loc) >= 2 and loc[0] in ("answers", "weights"):
        if loc[1] not in questions or kind == "extra_forbidden":
            return list(questions)
        if loc[0] == "answers":
            return list(questions[loc[1]].option_ids)
        return [WEIGHT_HELP]
    if loc and loc[0] == "answers":
        return list(questions)
    return []


def unprocessable(items: list[ErrorItem]) -> JSONResponse:
    return JSONResponse(ErrorBody(detail=items).model_dump(), status_code=422)


async def request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return unprocessable(from_pydantic(request.app.state.catalogue, exc.errors()))


async def invalid_input_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return unprocessable(from_field_errors(exc.errors))
