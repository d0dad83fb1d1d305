"""Indexes: checkpoints by relationship and status (coordinator status), nudges by checkpoint.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkpoints_relationship_id"))
        batch_op.create_index(
            "ix_checkpoints_relationship_status_due",
            ["relationship_id", "status", "due_at"],
            unique=False,
        )

    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index("ix_nudges_checkpoint_id", ["checkpoint_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_index("ix_nudges_checkpoint_id")

    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_checkpoints_relationship_status_due")
        batch_op.create_index(
            batch_op.f("ix_checkpoints_relationship_id"), ["relationship_id"], unique=False
        )
