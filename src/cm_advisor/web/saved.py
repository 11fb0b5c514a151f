"""Reading a saved result for a page or an export: 404 when it is gone, and the catalogue
snapshot it was scored with, so it is always shown exactly as it was computed."""

from __future__ import annotations

from fastapi import HTTPException

from cm_advisor.engine import Catalogue
from cm_advisor.storage import Assessment, Store
from cm_advisor.web.conditional import PRIVATE

__all__ = ["GONE", "PRIVATE", "load", "scored_with"]

GONE = "There is no saved result at this link. It may have been deleted."


def load(store: Store, token: str) -> Assessment:
    found = store.get(token)
    if found is None:
        raise HTTPException(404, GONE)
    return found


def scored_with(store: Store, current: Catalogue, saved: Assessment) -> Catalogue:
    """The catalogue snapshot the result was computed with (the current one if it is that)."""
    if saved.catalogue_hash == current.content_hash:
        return current
    return store.catalogue(saved.catalogue_hash) or current
