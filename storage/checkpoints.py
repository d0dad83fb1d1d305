"""Queries about checkpoints: the moments both people assess progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Checkpoint


def add(session: Session, checkpoint: Checkpoint) -> Checkpoint:
    session.add(checkpoint)
    session.flush()
    return checkpoint


def get(session: Session, *, team_id: str, checkpoint_id: int) -> Checkpoint | None:
    checkpoint = session.get(Checkpoint, checkpoint_id)
    return checkpoint if checkpoint is not None and checkpoint.team_id == team_id else None


def upcoming(
    session: Session, *, relationship_id: int, after: datetime, limit: int = 60
) -> Sequence[Checkpoint]:
    statement = (
        select(Checkpoint)
        .where(
            Checkpoint.relationship_id == relationship_id,
            col(Checkpoint.status) == "scheduled",
            col(Checkpoint.due_at) >= after,
        )
        .order_by(col(Checkpoint.due_at))
        .limit(limit)
    )
    return session.exec(statement).all()


def cancel_scheduled_after(session: Session, *, relationship_id: int, after: datetime) -> int:
    """Cancel the relationship's checkpoints still to come (an amended plan replaces them)."""
    result = session.execute(
        update(Checkpoint)
        .where(
            col(Checkpoint.relationship_id) == relationship_id,
            col(Checkpoint.status) == "scheduled",
            col(Checkpoint.due_at) >= after,
        )
        .values(status="cancelled")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def scheduled_between(
    session: Session, *, start: datetime, end: datetime, limit: int = 5000
) -> Sequence[Checkpoint]:
    """Scheduled checkpoints with start <= due_at < end, soonest first (status/due index)."""
    statement = (
        select(Checkpoint)
        .where(
            col(Checkpoint.status) == "scheduled",
            col(Checkpoint.due_at) >= start,
            col(Checkpoint.due_at) < end,
        )
        .order_by(col(Checkpoint.due_at))
        .limit(limit)
    )
    return session.exec(statement).all()


def for_relationship(session: Session, *, relationship_id: int) -> Sequence[Checkpoint]:
    statement = (
        select(Checkpoint)
        .where(Checkpoint.relationship_id == relationship_id)
        .order_by(col(Checkpoint.due_at))
    )
    return session.exec(statement).all()
