"""Coordinators added in Slack, and pulse survey answers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coordinators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("slack_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "slack_user_id", name="uq_coordinator"),
    )
    with op.batch_alter_table("coordinators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordinators_team_id"), ["team_id"], unique=False)

    op.create_table(
        "pulse_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("relationship_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("suggestion", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["relationships.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("relationship_id", "person_id", "period", name="uq_pulse_answer"),
    )
    with op.batch_alter_table("pulse_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pulse_responses_relationship_id"), ["relationship_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pulse_responses_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pulse_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_responses_team_id"))
        batch_op.drop_index(batch_op.f("ix_pulse_responses_relationship_id"))

    op.drop_table("pulse_responses")
    with op.batch_alter_table("coordinators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordinators_team_id"))

    op.drop_table("coordinators")
