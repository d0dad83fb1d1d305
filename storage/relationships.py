"""Queries about relationships and who is in them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Agreement, Person, Relationship, RelationshipMember
from storage.upsert import insert_or_update


def start_for_request(
    session: Session,
    *,
    team_id: str,
    request_id: int,
    kind: str,
    guide_id: int,
    learner_ids: Sequence[int],
    at: datetime,
) -> tuple[Relationship, bool]:
    """Create the relationship for a request once; (relationship, created) — the unique
    request_id makes a second accept, or a retried one, find the first instead."""
    created = insert_or_update(
        session,
        Relationship,
        {
            "team_id": team_id,
            "request_id": request_id,
            "kind": kind,
            "status": "active",
            "started_at": at,
        },
        conflict=("request_id",),
    )
    relationship = session.exec(
        select(Relationship).where(Relationship.request_id == request_id)
    ).one()
    if created:
        assert relationship.id is not None
        session.add(
            RelationshipMember(
                team_id=team_id, relationship_id=relationship.id, person_id=guide_id, role="guide"
            )
        )
        for learner_id in learner_ids:
            session.add(
                RelationshipMember(
                    team_id=team_id,
                    relationship_id=relationship.id,
                    person_id=learner_id,
                    role="learner",
                )
            )
        session.flush()
    return relationship, created


def for_person(
    session: Session, *, team_id: str, person_id: int, statuses: Sequence[str] = ("active",)
) -> Sequence[tuple[Relationship, str]]:
    """(relationship, the person's role in it) for the person's relationships."""
    statement = (
        select(Relationship, RelationshipMember.role)
        .join(RelationshipMember, col(RelationshipMember.relationship_id) == Relationship.id)
        .where(
            Relationship.team_id == team_id,
            RelationshipMember.person_id == person_id,
            col(Relationship.status).in_(statuses),
        )
        .order_by(col(Relationship.started_at))
    )
    return session.exec(statement).all()


def members(session: Session, *, relationship_id: int) -> Sequence[tuple[Person, str]]:
    statement = (
        select(Person, RelationshipMember.role)
        .join(RelationshipMember, col(RelationshipMember.person_id) == Person.id)
        .where(RelationshipMember.relationship_id == relationship_id)
        .order_by(col(RelationshipMember.id))
    )
    return session.exec(statement).all()


def partner_ids(session: Session, *, team_id: str, person_id: int) -> set[int]:
    """Everyone the person is in an active relationship with."""
    mine = select(RelationshipMember.relationship_id).where(
        RelationshipMember.team_id == team_id, RelationshipMember.person_id == person_id
    )
    statement = (
        select(RelationshipMember.person_id)
        .join(Relationship, col(Relationship.id) == RelationshipMember.relationship_id)
        .where(
            col(RelationshipMember.relationship_id).in_(mine),
            Relationship.status == "active",
            RelationshipMember.person_id != person_id,
        )
    )
    return set(session.exec(statement).all())


def get(session: Session, *, team_id: str, relationship_id: int) -> Relationship | None:
    relationship = session.get(Relationship, relationship_id)
    if relationship is None or relationship.team_id != team_id:
        return None
    return relationship


def start_group(
    session: Session,
    *,
    team_id: str,
    kind: str,
    topic: str,
    guide_id: int,
    learner_ids: Sequence[int],
    at: datetime,
) -> Relationship:
    """A relationship not born from a request: a coach's group, or one set up by a coordinator."""
    relationship = Relationship(
        team_id=team_id, kind=kind, topic=topic, status="active", started_at=at
    )
    session.add(relationship)
    session.flush()
    assert relationship.id is not None
    session.add(
        RelationshipMember(
            team_id=team_id, relationship_id=relationship.id, person_id=guide_id, role="guide"
        )
    )
    for learner_id in learner_ids:
        session.add(
            RelationshipMember(
                team_id=team_id,
                relationship_id=relationship.id,
                person_id=learner_id,
                role="learner",
            )
        )
    session.flush()
    return relationship


def active(session: Session) -> Sequence[Relationship]:
    """Every active relationship, in every workspace (the clock's at-risk sweep)."""
    statement = (
        select(Relationship).where(Relationship.status == "active").order_by(col(Relationship.id))
    )
    return session.exec(statement).all()


def touch(session: Session, *, relationship_id: int, at: datetime) -> None:
    """Someone in the relationship responded: keeps the at-risk rule's silence clock honest."""
    relationship = session.get(Relationship, relationship_id)
    if relationship is not None:
        relationship.last_activity_at = at
        session.add(relationship)


def shared(session: Session, *, team_id: str, person_ids: Sequence[int]) -> int | None:
    """The newest relationship both people are in, if any."""
    first, second = person_ids
    mine = select(RelationshipMember.relationship_id).where(
        RelationshipMember.team_id == team_id, RelationshipMember.person_id == first
    )
    statement = (
        select(RelationshipMember.relationship_id)
        .where(
            col(RelationshipMember.relationship_id).in_(mine),
            RelationshipMember.person_id == second,
        )
        .order_by(col(RelationshipMember.relationship_id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def members_by_relationship(
    session: Session, *, relationship_ids: Iterable[int]
) -> dict[int, list[Person]]:
    """Everyone in each of these relationships, in one query."""
    ids = sorted(set(relationship_ids))
    found: dict[int, list[Person]] = {}
    for start in range(0, len(ids), 1000):
        statement = (
            select(RelationshipMember.relationship_id, Person)
            .join(Person, col(Person.id) == RelationshipMember.person_id)
            .where(col(RelationshipMember.relationship_id).in_(ids[start : start + 1000]))
            .order_by(col(RelationshipMember.id))
        )
        for relationship_id, person in session.exec(statement).all():
            found.setdefault(relationship_id, []).append(person)
    return found


def without_active_agreement(
    session: Session, *, started_before: datetime, limit: int = 500
) -> Sequence[Relationship]:
    """Active relationships started before `started_before` whose agreement was never
    confirmed by everyone (no version is active), oldest first."""
    confirmed = select(col(Agreement.relationship_id)).where(col(Agreement.status) == "active")
    statement = (
        select(Relationship)
        .where(
            col(Relationship.status) == "active",
            col(Relationship.started_at) <= started_before,
            col(Relationship.id).not_in(confirmed),
        )
        .order_by(col(Relationship.started_at))
        .limit(limit)
    )
    return session.exec(statement).all()
