"""The plain data a relationship's health score is computed from, for many relationships at once.

A handful of grouped queries whatever the number of relationships: members, checkpoints,
answers, reflection dates and pulse ratings. No text leaves this module: reflections come back
as dates (with author and whether shared with the partner), assessments as answers, pulses as
numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import (
    Assessment,
    Checkpoint,
    Person,
    PulseResponse,
    Reflection,
    Relationship,
    RelationshipMember,
)


@dataclass
class HealthRow:
    relationship_id: int
    started_at: datetime
    last_response_at: datetime | None
    members: list[tuple[int, str]] = field(default_factory=list)
    """(person id, slack id) in the order they joined."""
    checkpoints: list[tuple[int, datetime, str]] = field(default_factory=list)
    """(checkpoint id, due_at, status)."""
    answers: list[tuple[int, int, str]] = field(default_factory=list)
    """(checkpoint id, person id, progress)."""
    reflections: list[tuple[int, datetime, bool]] = field(default_factory=list)
    """(author person id, written at, shared with the partner)."""
    ratings: list[tuple[int, int]] = field(default_factory=list)
    """(person id, rating 1-5)."""


def rows(
    session: Session,
    *,
    relationship_ids: Sequence[int],
    reflections_since: datetime,
    ratings_since: datetime,
) -> dict[int, HealthRow]:
    ids = sorted(set(relationship_ids))
    if not ids:
        return {}
    found = {
        int(relationship_id): HealthRow(int(relationship_id), started_at, last_activity_at)
        for relationship_id, started_at, last_activity_at in session.execute(
            select(
                col(Relationship.id),
                col(Relationship.started_at),
                col(Relationship.last_activity_at),
            ).where(col(Relationship.id).in_(ids))
        ).all()
    }
    members = session.execute(
        select(col(RelationshipMember.relationship_id), col(Person.id), col(Person.slack_user_id))
        .join(Person, col(Person.id) == col(RelationshipMember.person_id))
        .where(col(RelationshipMember.relationship_id).in_(ids))
        .order_by(col(RelationshipMember.id))
    ).all()
    for relationship_id, person_id, slack_id in members:
        found[int(relationship_id)].members.append((int(person_id), str(slack_id)))
    checkpoints = session.execute(
        select(
            col(Checkpoint.relationship_id),
            col(Checkpoint.id),
            col(Checkpoint.due_at),
            col(Checkpoint.status),
        ).where(col(Checkpoint.relationship_id).in_(ids))
    ).all()
    owner: dict[int, int] = {}
    for relationship_id, checkpoint_id, due_at, status in checkpoints:
        owner[int(checkpoint_id)] = int(relationship_id)
        found[int(relationship_id)].checkpoints.append((int(checkpoint_id), due_at, str(status)))
    answers = session.execute(
        select(col(Assessment.checkpoint_id), col(Assessment.person_id), col(Assessment.progress))
        .join(Checkpoint, col(Checkpoint.id) == col(Assessment.checkpoint_id))
        .where(col(Checkpoint.relationship_id).in_(ids))
    ).all()
    for checkpoint_id, person_id, progress in answers:
        found[owner[int(checkpoint_id)]].answers.append(
            (int(checkpoint_id), int(person_id), str(progress))
        )
    reflections = session.execute(
        select(
            col(Reflection.relationship_id),
            col(Reflection.author_id),
            col(Reflection.created_at),
            col(Reflection.shared_with_partner),
        ).where(
            col(Reflection.relationship_id).in_(ids),
            col(Reflection.created_at) >= reflections_since,
        )
    ).all()
    for relationship_id, author_id, created_at, shared in reflections:
        found[int(relationship_id)].reflections.append((int(author_id), created_at, bool(shared)))
    ratings = session.execute(
        select(
            col(PulseResponse.relationship_id), col(PulseResponse.person_id), PulseResponse.rating
        ).where(
            col(PulseResponse.relationship_id).in_(ids),
            col(PulseResponse.created_at) >= ratings_since,
            col(PulseResponse.rating).is_not(None),
        )
    ).all()
    for relationship_id, person_id, rating in ratings:
        found[int(relationship_id)].ratings.append((int(person_id), int(rating)))
    return found
