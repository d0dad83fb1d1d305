"""Queries about volunteers' offers and the pool they form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from storage.models import Offer, Person, Relationship, RelationshipMember


def for_person(session: Session, *, team_id: str, person_id: int) -> Offer | None:
    statement = select(Offer).where(Offer.team_id == team_id, Offer.person_id == person_id)
    return session.exec(statement).first()


def save(session: Session, offer: Offer) -> Offer:
    session.add(offer)
    session.flush()
    return offer


def active_pool(session: Session, *, team_id: str) -> Sequence[tuple[Offer, Person]]:
    statement = (
        select(Offer, Person)
        .join(Person, col(Person.id) == Offer.person_id)
        .where(
            Offer.team_id == team_id,
            Offer.status == "active",
            col(Person.erased_at).is_(None),
        )
        .order_by(col(Offer.id))
    )
    return session.exec(statement).all()


def guide_load(session: Session, *, team_id: str, since: datetime) -> dict[int, tuple[int, int]]:
    """person_id -> (active relationships they guide, relationships started since `since`)."""
    active = func.sum(case((col(Relationship.status) == "active", 1), else_=0))
    recent = func.sum(case((col(Relationship.started_at) >= since, 1), else_=0))
    statement = (
        select(RelationshipMember.person_id, active, recent)
        .join(Relationship, col(Relationship.id) == RelationshipMember.relationship_id)
        .where(RelationshipMember.team_id == team_id, RelationshipMember.role == "guide")
        .group_by(col(RelationshipMember.person_id))
    )
    return {
        person_id: (int(active_n or 0), int(recent_n or 0))
        for person_id, active_n, recent_n in session.exec(statement).all()
    }


def active_count(session: Session, *, team_id: str, person_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(RelationshipMember)
        .join(Relationship, col(Relationship.id) == RelationshipMember.relationship_id)
        .where(
            RelationshipMember.team_id == team_id,
            RelationshipMember.person_id == person_id,
            RelationshipMember.role == "guide",
            Relationship.status == "active",
        )
    )
    return int(session.exec(statement).one())
