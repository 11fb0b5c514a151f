"""Assessments and the catalogue snapshots they were scored with.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogues",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("manage_key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("weights", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column(
            "catalogue_hash",
            sa.String(64),
            sa.ForeignKey("catalogues.content_hash"),
            nullable=False,
        ),
        sa.Column("catalogue_version", sa.String(100), nullable=False),
        sa.Column("engine_version", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("assessments")
    op.drop_table("catalogues")
