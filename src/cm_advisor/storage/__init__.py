"""Saved assessments and group rounds: SQLAlchemy tables, Alembic migrations and the store."""

from cm_advisor.storage.assessments import Assessment, Created, WrongKey
from cm_advisor.storage.availability import StoreUnavailable
from cm_advisor.storage.groups import (
    GroupResult,
    NoResponses,
    Round,
    RoundClosed,
    RoundFull,
)
from cm_advisor.storage.repository import Store, database_url

__all__ = [
    "Assessment",
    "Created",
    "GroupResult",
    "NoResponses",
    "Round",
    "RoundClosed",
    "RoundFull",
    "Store",
    "StoreUnavailable",
    "WrongKey",
    "database_url",
]
