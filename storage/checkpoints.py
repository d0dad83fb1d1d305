"""Queries about checkpoints: the moments both people assess progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, update
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


class Due(NamedTuple):
    """What the clock's planning needs of a scheduled checkpoint: a plain row, not an ORM
    object (a sweep reads thousands, and building full objects was most of its cost)."""

    id: int
    team_id: str
    relationship_id: int
    due_at: datetime


def scheduled_between(
    session: Session, *, start: datetime, end: datetime, limit: int = 5000
) -> list[Due]:
    """Scheduled checkpoints with start <= due_at < end, soonest first (status/due index)."""
    statement = (
        select(
            col(Checkpoint.id),
            col(Checkpoint.team_id),
            col(Checkpoint.relationship_id),
            col(Checkpoint.due_at),
        )
        .where(
            col(Checkpoint.status) == "scheduled",
            col(Checkpoint.due_at) >= start,
            col(Checkpoint.due_at) < end,
        )
        .order_by(col(Checkpoint.due_at))
        .limit(limit)
    )
    return [Due(*row) for row in session.execute(statement)]


def close_scheduled(
    session: Session, *, checkpoint_ids: Sequence[int], status: str, at: datetime
) -> int:
    """Move still-scheduled checkpoints to `status` ("done" or "missed"); a "done" one keeps
    the completion time it had, or gets `at`. Returns how many changed."""
    changed = 0
    for start in range(0, len(checkpoint_ids), 1000):
        values: dict[str, object] = {"status": status}
        if status == "done":
            values["completed_at"] = func.coalesce(Checkpoint.completed_at, at)
        result = session.execute(
            update(Checkpoint)
            .where(
                col(Checkpoint.id).in_(checkpoint_ids[start : start + 1000]),
                col(Checkpoint.status) == "scheduled",
            )
            .values(values)
        )
        changed += int(result.rowcount)  # type: ignore[attr-defined]
    return changed


def for_relationship(session: Session, *, relationship_id: int) -> Sequence[Checkpoint]:
    statement = (
        select(Checkpoint)
        .where(Checkpoint.relationship_id == relationship_id)
        .order_by(col(Checkpoint.due_at))
    )
    return session.exec(statement).all()
