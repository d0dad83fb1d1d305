"""Queries about appreciation sent and received."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Appreciation, Person


def received_count(session: Session, *, person_id: int) -> int:
    statement = (
        select(func.count()).select_from(Appreciation).where(Appreciation.to_id == person_id)
    )
    return int(session.exec(statement).one())


def recent_received(
    session: Session, *, person_id: int, limit: int
) -> Sequence[tuple[Appreciation, Person]]:
    """Latest thanks to the person, with who sent each."""
    statement = (
        select(Appreciation, Person)
        .join(Person, col(Person.id) == Appreciation.from_id)
        .where(Appreciation.to_id == person_id)
        .order_by(col(Appreciation.created_at).desc())
        .limit(limit)
    )
    return session.exec(statement).all()


def between(
    session: Session, *, team_id: str, person_ids: tuple[int, int]
) -> Sequence[Appreciation]:
    """Thanks sent either way between two people, oldest first."""
    first, second = person_ids
    statement = (
        select(Appreciation)
        .where(
            Appreciation.team_id == team_id,
            col(Appreciation.from_id).in_(person_ids),
            col(Appreciation.to_id).in_(person_ids),
            Appreciation.from_id != Appreciation.to_id,
        )
        .order_by(col(Appreciation.created_at), col(Appreciation.id))
    )
    return [a for a in session.exec(statement).all() if {a.from_id, a.to_id} == {first, second}]
