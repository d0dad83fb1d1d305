"""Queries about invitations: a volunteer asked to take on a request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Invitation


def add(session: Session, invitation: Invitation) -> Invitation:
    session.add(invitation)
    session.flush()
    return invitation


def get(session: Session, *, team_id: str, invitation_id: int) -> Invitation | None:
    invitation = session.get(Invitation, invitation_id)
    return invitation if invitation is not None and invitation.team_id == team_id else None


def for_request(session: Session, *, team_id: str, request_id: int) -> Sequence[Invitation]:
    statement = (
        select(Invitation)
        .where(Invitation.team_id == team_id, Invitation.request_id == request_id)
        .order_by(col(Invitation.asked_at), col(Invitation.id))
    )
    return session.exec(statement).all()


def pending_for_person(session: Session, *, team_id: str, person_id: int) -> Sequence[Invitation]:
    statement = select(Invitation).where(
        Invitation.team_id == team_id,
        Invitation.person_id == person_id,
        Invitation.status == "pending",
    )
    return session.exec(statement).all()


def answer(
    session: Session, invitation: Invitation, *, status: str, at: datetime, reason: str | None
) -> bool:
    """Move a pending invitation to `status`; False when it was already answered (a double
    click, a Slack retry, or the clock expiring it first), so the caller does nothing twice."""
    statement = (
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.status) == "pending")
        .values(status=status, answered_at=at, decline_reason=reason)
    )
    result = session.execute(statement)
    session.refresh(invitation)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def expired(session: Session, *, now: datetime, limit: int = 100) -> Sequence[Invitation]:
    statement = (
        select(Invitation)
        .where(Invitation.status == "pending", col(Invitation.expires_at) <= now)
        .order_by(col(Invitation.expires_at))
        .limit(limit)
    )
    return session.exec(statement).all()


def remember_message(session: Session, invitation: Invitation, *, channel: str, ts: str) -> None:
    invitation.slack_channel = channel
    invitation.slack_ts = ts
    session.add(invitation)
