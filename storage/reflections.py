"""Queries about reflections."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from storage.models import Reflection


def recent_by_author(session: Session, *, person_id: int, limit: int) -> Sequence[Reflection]:
    statement = (
        select(Reflection)
        .where(Reflection.author_id == person_id)
        .order_by(col(Reflection.created_at).desc())
        .limit(limit)
    )
    return session.exec(statement).all()


def for_relationship(session: Session, *, relationship_id: int) -> Sequence[Reflection]:
    statement = (
        select(Reflection)
        .where(Reflection.relationship_id == relationship_id)
        .order_by(col(Reflection.created_at), col(Reflection.id))
    )
    return session.exec(statement).all()
