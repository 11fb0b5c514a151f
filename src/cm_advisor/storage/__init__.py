"""Saved assessments: SQLAlchemy tables, Alembic migrations and the repository."""

from cm_advisor.storage.repository import (
    Assessment,
    Created,
    Store,
    StoreUnavailable,
    WrongKey,
    database_url,
)

__all__ = ["Assessment", "Created", "Store", "StoreUnavailable", "WrongKey", "database_url"]
