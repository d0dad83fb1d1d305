"""Contracting: agreement versions and confirmations, checkpoint reasons, group DMs.

New NOT NULL columns get server defaults so existing rows survive the upgrade.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agreement_id", "person_id", name="uq_confirmation_agreement_person"),
    )
    with op.batch_alter_table("agreement_confirmations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_confirmations_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_confirmations_team_id"), ["team_id"], unique=False
        )

    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "updated_at",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=False,
                server_default=sa.text("CURRENT_TIMESTAMP"),
            )
        )
        batch_op.add_column(
            sa.Column("proposed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("summary_channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("summary_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )

    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reason",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="cadence",
            )
        )

    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "topic",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.drop_column("topic")
        batch_op.drop_column("channel_id")

    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.drop_column("reason")

    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_column("summary_ts")
        batch_op.drop_column("summary_channel")
        batch_op.drop_column("proposed_at")
        batch_op.drop_column("updated_at")

    with op.batch_alter_table("agreement_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_confirmations_team_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_confirmations_agreement_id"))

    op.drop_table("agreement_confirmations")
