"""Saved assessments: SQLAlchemy tables, Alembic migrations and the store around them."""

from cm_advisor.storage.assessments import Assessment, Created, WrongKey
from cm_advisor.storage.availability import StoreUnavailable
from cm_advisor.storage.repository import Store, database_url

__all__ = ["Assessment", "Created", "Store", "StoreUnavailable", "WrongKey", "database_url"]
