"""Group rounds, their responses, and the group results stored when a round closes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_rounds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("lead_key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "result_token",
            sa.String(64),
            sa.ForeignKey("assessments.token", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("previous_token", sa.String(64), nullable=True),
    )
    op.create_table(
        "group_responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("group_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(100), nullable=True),
        sa.Column("initials", sa.String(20), nullable=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("weights", sa.Text, nullable=False),
        sa.Column("population", sa.Text, nullable=True),
    )
    op.create_index("ix_group_responses_round_id", "group_responses", ["round_id"])
    op.create_table(
        "group_results",
        sa.Column(
            "token",
            sa.String(64),
            sa.ForeignKey("assessments.token", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respondents", sa.Integer, nullable=False),
        sa.Column("analysis", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("group_results")
    op.drop_index("ix_group_responses_round_id", table_name="group_responses")
    op.drop_table("group_responses")
    op.drop_table("group_rounds")
