"""People a volunteer should not be paired with, and whether a mentor's report is shared with
the learners.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pool_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("avoided_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["avoided_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "avoided_id", name="uq_pool_exclusion_pair"),
    )
    with op.batch_alter_table("pool_exclusions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_exclusions_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pool_exclusions_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pool_exclusions_avoided_id"), ["avoided_id"], unique=False
        )
    with op.batch_alter_table("mentor_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "shared_with_learners", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("mentor_reports", schema=None) as batch_op:
        batch_op.drop_column("shared_with_learners")
    with op.batch_alter_table("pool_exclusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_exclusions_avoided_id"))
        batch_op.drop_index(batch_op.f("ix_pool_exclusions_person_id"))
        batch_op.drop_index(batch_op.f("ix_pool_exclusions_team_id"))
    op.drop_table("pool_exclusions")
