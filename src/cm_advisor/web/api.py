"""The JSON API under /api/v1: score answers, read the catalogue."""

# No `from __future__ import annotations`: FastAPI must see the request model built at run time.

from typing import Any

from fastapi import APIRouter, HTTPException

from cm_advisor import engine
from cm_advisor.engine import Model, Questionnaire, Result
from cm_advisor.web.deps import CatalogueDep
from cm_advisor.web.errors import ErrorBody
from cm_advisor.web.schemas import plain

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No model with this id."}}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "A field is wrong; `allowed` lists its values."}
}


def api_router(score_request: Any) -> APIRouter:
    """Build the API for this catalogue's request model: its options appear in the schema."""
    router = APIRouter(prefix="/api/v1", tags=["api"])

    @router.post("/score", response_model=Result, responses=INVALID)
    async def score(body: score_request, catalogue: CatalogueDep) -> Result:
        """Rank the five models for an organization's answers, with reasons and hybrids."""
        return engine.score(
            catalogue, plain(body.answers), plain(body.weights), plain(body.population) or None
        )

    @router.get("/models", response_model=list[Model])
    async def list_models(catalogue: CatalogueDep) -> tuple[Model, ...]:
        """Every model in the catalogue with its description, pros, cons and evidence."""
        return catalogue.models

    @router.get("/models/{model_id}", response_model=Model, responses=NOT_FOUND)
    async def get_model(model_id: str, catalogue: CatalogueDep) -> Model:
        """One model by id."""
        if model_id not in catalogue.model_ids:
            raise HTTPException(
                404, f"unknown model '{model_id}'; models: {', '.join(catalogue.model_ids)}"
            )
        return catalogue.model(model_id)

    @router.get("/questionnaire", response_model=Questionnaire)
    async def questionnaire(catalogue: CatalogueDep) -> Questionnaire:
        """The sections, questions and options, so integrators can build their own form."""
        return catalogue.questionnaire

    return router
