"""The database schema, declared once; Alembic migrations create it."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

catalogues = Table(
    "catalogues",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("version", String(100), nullable=False),
    Column("content", Text, nullable=False, comment="the validated catalogue as JSON"),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("manage_key_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("label", String(200), nullable=True),
    Column("notes", Text, nullable=True),
    Column("answers", Text, nullable=False, comment="JSON, as submitted and checked"),
    Column("weights", Text, nullable=False, comment="JSON, the weights used"),
    Column("result", Text, nullable=False, comment="JSON, exactly as computed"),
    Column(
        "catalogue_hash",
        String(64),
        ForeignKey("catalogues.content_hash"),
        nullable=False,
    ),
    Column("catalogue_version", String(100), nullable=False),
    Column("engine_version", String(40), nullable=False),
)

drafts = Table(
    "drafts",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("fields", Text, nullable=False, comment="JSON, the questionnaire's raw form fields"),
)
