"""Queries about coordinators added in Slack."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.models import Coordinator
from storage.upsert import insert_or_update


def is_listed(session: Session, *, team_id: str, slack_user_id: str) -> bool:
    statement = select(Coordinator.id).where(
        Coordinator.team_id == team_id, Coordinator.slack_user_id == slack_user_id
    )
    return session.exec(statement).first() is not None


def add(session: Session, *, team_id: str, slack_user_id: str, added_by: str, at: datetime) -> bool:
    return insert_or_update(
        session,
        Coordinator,
        {"team_id": team_id, "slack_user_id": slack_user_id, "added_by": added_by, "added_at": at},
        conflict=("team_id", "slack_user_id"),
    )


def remove(session: Session, *, team_id: str, slack_user_id: str) -> bool:
    result = session.execute(
        delete(Coordinator).where(
            col(Coordinator.team_id) == team_id, col(Coordinator.slack_user_id) == slack_user_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def listed(session: Session, *, team_id: str) -> Sequence[str]:
    statement = (
        select(Coordinator.slack_user_id)
        .where(Coordinator.team_id == team_id)
        .order_by(col(Coordinator.added_at))
    )
    return session.exec(statement).all()
