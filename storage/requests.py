"""Queries about requests for a mentor or coach."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Invitation, MentoringRequest, Person

OPEN_STATUSES = ("open", "matching", "unmatched")


def add(session: Session, request: MentoringRequest) -> MentoringRequest:
    session.add(request)
    session.flush()
    return request


def get(session: Session, *, team_id: str, request_id: int) -> MentoringRequest | None:
    request = session.get(MentoringRequest, request_id)
    return request if request is not None and request.team_id == team_id else None


def get_for_update(session: Session, *, team_id: str, request_id: int) -> MentoringRequest | None:
    """The request, locked until the transaction ends (PostgreSQL; SQLite locks on BEGIN)."""
    statement = (
        select(MentoringRequest)
        .where(MentoringRequest.id == request_id, MentoringRequest.team_id == team_id)
        .with_for_update()
    )
    return session.exec(statement).first()


def open_for_person(
    session: Session, *, team_id: str, person_id: int
) -> Sequence[MentoringRequest]:
    statement = (
        select(MentoringRequest)
        .where(
            MentoringRequest.team_id == team_id,
            MentoringRequest.requester_id == person_id,
            col(MentoringRequest.status).in_(OPEN_STATUSES),
        )
        .order_by(col(MentoringRequest.created_at))
    )
    return session.exec(statement).all()


def set_status(session: Session, request: MentoringRequest, status: str, at: datetime) -> None:
    request.status = status
    request.updated_at = at
    if status in ("matched", "cancelled"):
        request.closed_at = at
    session.add(request)


def waiting(session: Session, *, team_id: str) -> Sequence[MentoringRequest]:
    """Requests nobody has been asked for yet, or that the pool could not serve: a cohort's
    intake. Requests with an invitation waiting for an answer are left alone."""
    statement = (
        select(MentoringRequest)
        .where(
            MentoringRequest.team_id == team_id,
            col(MentoringRequest.status).in_(("open", "unmatched")),
        )
        .order_by(col(MentoringRequest.created_at))
    )
    return session.exec(statement).all()


def unescalated_since(
    session: Session, *, created_before: datetime, limit: int = 500
) -> Sequence[tuple[MentoringRequest, Person]]:
    """Requests still waiting, created before `created_before` and not yet escalated, with
    their requester; oldest first."""
    statement = (
        select(MentoringRequest, Person)
        .join(Person, col(Person.id) == col(MentoringRequest.requester_id))
        .where(
            col(MentoringRequest.status).in_(OPEN_STATUSES),
            col(MentoringRequest.escalated_at).is_(None),
            col(MentoringRequest.created_at) <= created_before,
        )
        .order_by(col(MentoringRequest.created_at))
        .limit(limit)
    )
    return [(request, person) for request, person in session.exec(statement).all()]


def mark_escalated(session: Session, *, request_id: int, at: datetime) -> bool:
    """Claim the request's one escalation: True only for the one caller (of any number of
    clocks) that set it, while the request is still waiting."""
    result = session.execute(
        update(MentoringRequest)
        .where(
            col(MentoringRequest.id) == request_id,
            col(MentoringRequest.escalated_at).is_(None),
            col(MentoringRequest.status).in_(OPEN_STATUSES),
        )
        .values(escalated_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def pending_invitees(
    session: Session, *, request_ids: Sequence[int]
) -> dict[int, tuple[str, datetime]]:
    """For each request with an invitation awaiting an answer: (volunteer slack id, answer-by)."""
    if not request_ids:
        return {}
    statement = (
        select(col(Invitation.request_id), col(Person.slack_user_id), col(Invitation.expires_at))
        .join(Person, col(Person.id) == col(Invitation.person_id))
        .where(col(Invitation.request_id).in_(request_ids), col(Invitation.status) == "pending")
    )
    return {
        int(request_id): (str(user), expires)
        for request_id, user, expires in session.execute(statement).all()
    }
