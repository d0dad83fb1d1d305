"""Queries about how people said a checkpoint went."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Assessment, Checkpoint
from storage.upsert import insert_or_update


def record(
    session: Session,
    *,
    team_id: str,
    checkpoint_id: int,
    person_id: int,
    progress: str,
    at: datetime,
) -> None:
    """Store (or change) one person's answer for a checkpoint."""
    insert_or_update(
        session,
        Assessment,
        {
            "team_id": team_id,
            "checkpoint_id": checkpoint_id,
            "person_id": person_id,
            "progress": progress,
            "note": "",
            "created_at": at,
            "updated_at": at,
        },
        conflict=("checkpoint_id", "person_id"),
        update=("progress", "updated_at"),
    )


def add_note(
    session: Session, *, checkpoint_id: int, person_id: int, note: str, at: datetime
) -> bool:
    answer = session.exec(
        select(Assessment).where(
            Assessment.checkpoint_id == checkpoint_id, Assessment.person_id == person_id
        )
    ).first()
    if answer is None:
        return False
    answer.note = note
    answer.updated_at = at
    session.add(answer)
    return True


def for_checkpoints(session: Session, *, checkpoint_ids: Sequence[int]) -> Sequence[Assessment]:
    if not checkpoint_ids:
        return []
    statement = select(Assessment).where(col(Assessment.checkpoint_id).in_(checkpoint_ids))
    return session.exec(statement).all()


def for_relationship(session: Session, *, relationship_id: int) -> Sequence[Assessment]:
    statement = (
        select(Assessment)
        .join(Checkpoint, col(Checkpoint.id) == Assessment.checkpoint_id)
        .where(Checkpoint.relationship_id == relationship_id)
    )
    return session.exec(statement).all()
