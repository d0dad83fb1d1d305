"""Queries about requests for a mentor or coach."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import MentoringRequest

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
