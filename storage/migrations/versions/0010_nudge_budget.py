"""The nudge budget: a record of the bot's own DMs, pause and stop state, deferred DM payloads.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_dms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("needs_answer", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bot_dms", schema=None) as batch_op:
        batch_op.create_index("ix_bot_dms_person_sent", ["person_id", "sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_bot_dms_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payload", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("dm_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_nudges_dm_id"), ["dm_id"], unique=False)
        batch_op.create_foreign_key("fk_nudges_dm_id_bot_dms", "bot_dms", ["dm_id"], ["id"])

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paused_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("nudges_stopped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("nudges_stopped_at")
        batch_op.drop_column("paused_until")

    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_constraint("fk_nudges_dm_id_bot_dms", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_nudges_dm_id"))
        batch_op.drop_column("dm_id")
        batch_op.drop_column("payload")

    with op.batch_alter_table("bot_dms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bot_dms_team_id"))
        batch_op.drop_index("ix_bot_dms_person_sent")

    op.drop_table("bot_dms")
