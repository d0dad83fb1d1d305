"""Aggregate queries for the coordinators' view of the program: counts, never personal text.

Each function is one or two grouped queries so `/mentoring status` stays fast on a program with
tens of thousands of relationships and hundreds of thousands of checkpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, select
from sqlmodel import Session, col

from storage.models import (
    Appreciation,
    Checkpoint,
    MentoringRequest,
    Offer,
    Person,
    PulseResponse,
    Relationship,
    RelationshipMember,
)

OPEN_REQUESTS = ("open", "matching", "unmatched")
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def _scoped(
    statement: Query,
    *,
    team_id: str,
    kinds: Sequence[str] | None,
    person_id: int | None,
) -> Query:
    statement = statement.where(col(Relationship.team_id) == team_id)
    if kinds:
        statement = statement.where(col(Relationship.kind).in_(kinds))
    if person_id is not None:
        members = select(col(RelationshipMember.relationship_id)).where(
            col(RelationshipMember.person_id) == person_id
        )
        statement = statement.where(col(Relationship.id).in_(members))
    return statement


def active_by_kind(
    session: Session, *, team_id: str, kinds: Sequence[str] | None, person_id: int | None
) -> dict[str, int]:
    statement = _scoped(
        select(col(Relationship.kind), func.count())
        .where(col(Relationship.status) == "active")
        .group_by(col(Relationship.kind)),
        team_id=team_id,
        kinds=kinds,
        person_id=person_id,
    )
    return {kind: int(n) for kind, n in session.execute(statement).all()}


def closed_by_reason(
    session: Session,
    *,
    team_id: str,
    since: datetime,
    kinds: Sequence[str] | None,
    person_id: int | None,
) -> dict[str, int]:
    statement = _scoped(
        select(col(Relationship.end_reason), func.count())
        .where(col(Relationship.status) == "closed", col(Relationship.ended_at) >= since)
        .group_by(col(Relationship.end_reason)),
        team_id=team_id,
        kinds=kinds,
        person_id=person_id,
    )
    return {str(reason or "unknown"): int(n) for reason, n in session.execute(statement).all()}


def at_risk(
    session: Session,
    *,
    team_id: str,
    kinds: Sequence[str] | None,
    person_id: int | None,
    limit: int,
) -> Sequence[tuple[int, str, datetime]]:
    """(relationship id, reason codes, since) for active relationships at risk, oldest first."""
    statement = _scoped(
        select(
            col(Relationship.id), col(Relationship.at_risk_reasons), col(Relationship.at_risk_since)
        )
        .where(col(Relationship.status) == "active", col(Relationship.at_risk_since).is_not(None))
        .order_by(col(Relationship.at_risk_since))
        .limit(limit),
        team_id=team_id,
        kinds=kinds,
        person_id=person_id,
    )
    return [(int(i), str(r), s) for i, r, s in session.execute(statement).all()]


def members_of(session: Session, *, relationship_ids: Sequence[int]) -> dict[int, list[str]]:
    if not relationship_ids:
        return {}
    statement = (
        select(col(RelationshipMember.relationship_id), col(Person.slack_user_id))
        .join(Person, col(Person.id) == col(RelationshipMember.person_id))
        .where(col(RelationshipMember.relationship_id).in_(relationship_ids))
        .order_by(col(RelationshipMember.id))
    )
    found: dict[int, list[str]] = {}
    for relationship_id, user in session.execute(statement).all():
        found.setdefault(int(relationship_id), []).append(str(user))
    return found


def checkpoint_outcomes(
    session: Session,
    *,
    team_id: str,
    start: datetime,
    end: datetime,
    kinds: Sequence[str] | None,
    person_id: int | None,
) -> tuple[int, int]:
    """(kept, missed) among checkpoints that fell due between start and end."""
    kept = func.sum(case((col(Checkpoint.status) == "done", 1), else_=0))
    missed = func.sum(case((col(Checkpoint.status) == "missed", 1), else_=0))
    statement = (
        select(kept, missed)
        .select_from(Checkpoint)
        .join(Relationship, col(Relationship.id) == col(Checkpoint.relationship_id))
        .where(
            col(Checkpoint.status).in_(("done", "missed")),
            col(Checkpoint.due_at) >= start,
            col(Checkpoint.due_at) < end,
        )
    )
    statement = _scoped(statement, team_id=team_id, kinds=kinds, person_id=person_id)
    row = session.execute(statement).one()
    return int(row[0] or 0), int(row[1] or 0)


@dataclass(frozen=True)
class WaitingRow:
    """A request still waiting, as coordinators may see it: no text at all."""

    request_id: int
    kind: str
    created_at: datetime
    status: str
    requester: str
    requester_tz: str | None
    escalated_at: datetime | None


def waiting_requests(
    session: Session, *, team_id: str, person_id: int | None, kind: str | None = None
) -> Sequence[WaitingRow]:
    """Requests still waiting (for `kind` mentor|coach when given), oldest first."""
    chosen = func.coalesce(col(MentoringRequest.kind_chosen), col(MentoringRequest.kind_asked))
    statement = (
        select(
            col(MentoringRequest.id),
            chosen,
            col(MentoringRequest.created_at),
            col(MentoringRequest.status),
            col(Person.slack_user_id),
            col(Person.tz),
            col(MentoringRequest.escalated_at),
        )
        .join(Person, col(Person.id) == col(MentoringRequest.requester_id))
        .where(
            col(MentoringRequest.team_id) == team_id,
            col(MentoringRequest.status).in_(OPEN_REQUESTS),
        )
        .order_by(col(MentoringRequest.created_at), col(MentoringRequest.id))
    )
    if person_id is not None:
        statement = statement.where(col(MentoringRequest.requester_id) == person_id)
    if kind is not None:
        statement = statement.where(chosen == kind)
    return [
        WaitingRow(int(i), str(k), created, str(status), str(user), tz, escalated)
        for i, k, created, status, user, tz, escalated in session.execute(statement).all()
    ]


def match_durations(
    session: Session,
    *,
    team_id: str,
    since: datetime,
    kinds: Sequence[str] | None = None,
    person_id: int | None = None,
) -> list[float]:
    """Hours from request to acceptance (the relationship starts when a volunteer accepts) for
    requests matched since `since`."""
    statement = _scoped(
        select(col(MentoringRequest.created_at), col(Relationship.started_at))
        .join(Relationship, col(Relationship.request_id) == col(MentoringRequest.id))
        .where(col(Relationship.started_at) >= since),
        team_id=team_id,
        kinds=kinds,
        person_id=person_id,
    )
    return [
        max((started - created).total_seconds() / 3600, 0.0)
        for created, started in session.execute(statement).all()
    ]


def capacity(session: Session, *, team_id: str) -> tuple[int, int, int]:
    """(volunteers with an active offer, places offered, places in use)."""
    offered = session.execute(
        select(func.count(), func.coalesce(func.sum(col(Offer.capacity)), 0)).where(
            col(Offer.team_id) == team_id, col(Offer.status) == "active"
        )
    ).one()
    in_use = session.execute(
        select(func.count())
        .select_from(RelationshipMember)
        .join(Relationship, col(Relationship.id) == col(RelationshipMember.relationship_id))
        .join(Offer, col(Offer.person_id) == col(RelationshipMember.person_id))
        .where(
            col(RelationshipMember.team_id) == team_id,
            col(RelationshipMember.role) == "guide",
            col(Relationship.status) == "active",
            col(Offer.status) == "active",
        )
    ).one()
    return int(offered[0]), int(offered[1]), int(in_use[0])


def appreciation_count(session: Session, *, team_id: str, since: datetime) -> int:
    statement = (
        select(func.count())
        .select_from(Appreciation)
        .where(col(Appreciation.team_id) == team_id, col(Appreciation.created_at) >= since)
    )
    return int(session.execute(statement).one()[0])


def pulse_summary(
    session: Session, *, team_id: str, since: datetime
) -> tuple[float | None, int, Sequence[tuple[int, float]]]:
    """(average rating, answers, the lowest-rated relationships as (id, average))."""
    overall = session.execute(
        select(func.avg(col(PulseResponse.rating)), func.count(col(PulseResponse.rating))).where(
            col(PulseResponse.team_id) == team_id,
            col(PulseResponse.created_at) >= since,
            col(PulseResponse.rating).is_not(None),
        )
    ).one()
    average = func.avg(col(PulseResponse.rating))
    lowest = session.execute(
        select(col(PulseResponse.relationship_id), average)
        .where(
            col(PulseResponse.team_id) == team_id,
            col(PulseResponse.created_at) >= since,
            col(PulseResponse.rating).is_not(None),
        )
        .group_by(col(PulseResponse.relationship_id))
        .order_by(average)
        .limit(5)
    ).all()
    mean = float(overall[0]) if overall[0] is not None else None
    return mean, int(overall[1]), [(int(r), float(a)) for r, a in lowest]


def relationship_spans(
    session: Session, *, team_id: str
) -> Sequence[tuple[datetime, datetime | None]]:
    """(started, ended) of every relationship, for the weekly active count."""
    statement = select(col(Relationship.started_at), col(Relationship.ended_at)).where(
        col(Relationship.team_id) == team_id
    )
    return [(s, e) for s, e in session.execute(statement).all()]


def weekly_outcomes(
    session: Session, *, team_id: str, since: datetime
) -> Sequence[tuple[datetime, str]]:
    """(due_at, status) of kept and missed checkpoints since `since`."""
    statement = select(col(Checkpoint.due_at), col(Checkpoint.status)).where(
        col(Checkpoint.team_id) == team_id,
        col(Checkpoint.status).in_(("done", "missed")),
        col(Checkpoint.due_at) >= since,
    )
    return [(d, str(s)) for d, s in session.execute(statement).all()]


def risk_starts(session: Session, *, team_id: str) -> Sequence[datetime]:
    statement = select(col(Relationship.at_risk_since)).where(
        col(Relationship.team_id) == team_id, col(Relationship.at_risk_since).is_not(None)
    )
    return [moment for (moment,) in session.execute(statement).all() if moment is not None]
