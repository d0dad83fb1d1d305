"""The mentor's reports, and opting out of public shout-outs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentor_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("relationship_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("goals_reached", sa.JSON(), nullable=False),
        sa.Column("progress", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("learned", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recommendations", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["relationships.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentor_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_reports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentor_reports_relationship_id"), ["relationship_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mentor_reports_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shoutouts_opt_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("shoutouts_opt_out")

    with op.batch_alter_table("mentor_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_reports_team_id"))
        batch_op.drop_index(batch_op.f("ix_mentor_reports_relationship_id"))
        batch_op.drop_index(batch_op.f("ix_mentor_reports_created_at"))

    op.drop_table("mentor_reports")
