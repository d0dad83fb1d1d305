"""Queries about pool exclusions: people a volunteer asked never to be paired with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, delete, select

from storage.models import Person, PoolExclusion
from storage.upsert import insert_or_update


def add(
    session: Session, *, team_id: str, person_id: int, avoided_ids: Sequence[int], at: datetime
) -> int:
    """Add each person to the volunteer's list (someone already on it stays once); returns how
    many were new."""
    added = 0
    for other in dict.fromkeys(avoided_ids):
        added += insert_or_update(
            session,
            PoolExclusion,
            {"team_id": team_id, "person_id": person_id, "avoided_id": other, "created_at": at},
            conflict=("person_id", "avoided_id"),
        )
    return added


def remove(session: Session, *, person_id: int, avoided_ids: Sequence[int]) -> int:
    statement = delete(PoolExclusion).where(
        col(PoolExclusion.person_id) == person_id, col(PoolExclusion.avoided_id).in_(avoided_ids)
    )
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def listed_by(session: Session, *, person_id: int) -> list[Person]:
    """The people on the volunteer's list, oldest first."""
    statement = (
        select(Person)
        .join(PoolExclusion, col(PoolExclusion.avoided_id) == Person.id)
        .where(PoolExclusion.person_id == person_id)
        .order_by(col(PoolExclusion.id))
    )
    return list(session.exec(statement).all())


def by_volunteer(session: Session, *, team_id: str) -> dict[int, frozenset[int]]:
    """volunteer person id -> the person ids they must never be paired with."""
    statement = select(PoolExclusion.person_id, PoolExclusion.avoided_id).where(
        PoolExclusion.team_id == team_id
    )
    found: dict[int, set[int]] = {}
    for person_id, avoided_id in session.exec(statement).all():
        found.setdefault(person_id, set()).add(avoided_id)
    return {person_id: frozenset(ids) for person_id, ids in found.items()}


def avoids(session: Session, *, person_id: int, other_id: int) -> bool:
    statement = select(PoolExclusion.id).where(
        PoolExclusion.person_id == person_id, PoolExclusion.avoided_id == other_id
    )
    return session.exec(statement).first() is not None
