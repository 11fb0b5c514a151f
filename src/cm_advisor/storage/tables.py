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

# Group rounds: several people answer the same questionnaire; the lead sees them together.
group_rounds = Table(
    "group_rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(64), nullable=False, unique=True, comment="the invitation"),
    Column("lead_key_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, comment="last response"),
    Column("label", String(200), nullable=False),
    Column("roles", Text, nullable=False, comment="JSON list of role names, in order"),
    Column("closes_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column(
        "result_token",
        String(64),
        ForeignKey("assessments.token", ondelete="SET NULL"),
        nullable=True,
        comment="the group result stored at closing",
    ),
    Column("previous_token", String(64), nullable=True, comment="the round it was started from"),
)

group_responses = Table(
    "group_responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "round_id",
        Integer,
        ForeignKey("group_rounds.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("token", String(64), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=True, comment="none: carried over, no edit link"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("role", String(100), nullable=True),
    Column("initials", String(20), nullable=True),
    Column("answers", Text, nullable=False, comment="JSON, as submitted and checked"),
    Column("weights", Text, nullable=False, comment="JSON, the weights given"),
    Column("population", Text, nullable=True, comment="JSON, patients and risk tiers"),
)

group_results = Table(
    "group_results",
    metadata,
    Column(
        "token",
        String(64),
        ForeignKey("assessments.token", ondelete="CASCADE"),
        primary_key=True,
        comment="the assessment holding the group's Result",
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("respondents", Integer, nullable=False),
    Column("analysis", Text, nullable=False, comment="JSON: questions and consensus, by role"),
)
