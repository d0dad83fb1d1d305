"""Queries behind the coordinators' reports and the HR export (metadata and reports only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import Checkpoint, MentorReport, Person, Relationship


def mentor_reports(session: Session, *, team_id: str, since: datetime) -> Sequence[MentorReport]:
    statement = (
        select(MentorReport)
        .where(col(MentorReport.team_id) == team_id, col(MentorReport.created_at) >= since)
        .order_by(col(MentorReport.created_at))
    )
    return session.execute(statement).scalars().all()


def relationships_for_export(session: Session, *, team_id: str) -> Sequence[Any]:
    """One row per relationship: id, kind, status, started, ended, end reason, at-risk since."""
    statement = (
        select(
            col(Relationship.id),
            col(Relationship.kind),
            col(Relationship.status),
            col(Relationship.started_at),
            col(Relationship.ended_at),
            col(Relationship.end_reason),
            col(Relationship.at_risk_since),
        )
        .where(col(Relationship.team_id) == team_id)
        .order_by(col(Relationship.id))
    )
    return session.execute(statement).all()


def checkpoints_for_export(session: Session, *, team_id: str) -> Sequence[Any]:
    statement = (
        select(
            col(Checkpoint.id),
            col(Checkpoint.relationship_id),
            col(Checkpoint.reason),
            col(Checkpoint.due_at),
            col(Checkpoint.status),
            col(Checkpoint.completed_at),
        )
        .where(col(Checkpoint.team_id) == team_id)
        .order_by(col(Checkpoint.relationship_id), col(Checkpoint.due_at))
    )
    return session.execute(statement).all()


def slack_ids(session: Session, *, person_ids: Sequence[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    statement = select(col(Person.id), col(Person.slack_user_id)).where(
        col(Person.id).in_(person_ids)
    )
    return {int(i): str(u) for i, u in session.execute(statement).all()}


def reports_for_relationship(session: Session, *, relationship_id: int) -> Sequence[MentorReport]:
    statement = (
        select(MentorReport)
        .where(col(MentorReport.relationship_id) == relationship_id)
        .order_by(col(MentorReport.created_at), col(MentorReport.id))
    )
    return session.execute(statement).scalars().all()
