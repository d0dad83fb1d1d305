"""Queries about pulse survey answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import PulseResponse
from storage.upsert import insert_or_update


def rate(
    session: Session,
    *,
    team_id: str,
    relationship_id: int,
    person_id: int,
    period: str,
    rating: int,
    at: datetime,
) -> None:
    insert_or_update(
        session,
        PulseResponse,
        {
            "team_id": team_id,
            "relationship_id": relationship_id,
            "person_id": person_id,
            "period": period,
            "rating": rating,
            "suggestion": "",
            "created_at": at,
        },
        conflict=("relationship_id", "person_id", "period"),
        update=("rating",),
    )


def suggest(
    session: Session,
    *,
    team_id: str,
    relationship_id: int,
    person_id: int,
    period: str,
    suggestion: str,
    at: datetime,
) -> None:
    insert_or_update(
        session,
        PulseResponse,
        {
            "team_id": team_id,
            "relationship_id": relationship_id,
            "person_id": person_id,
            "period": period,
            "rating": None,
            "suggestion": suggestion,
            "created_at": at,
        },
        conflict=("relationship_id", "person_id", "period"),
        update=("suggestion",),
    )


def since(session: Session, *, team_id: str, moment: datetime) -> Sequence[PulseResponse]:
    statement = (
        select(PulseResponse)
        .where(PulseResponse.team_id == team_id, col(PulseResponse.created_at) >= moment)
        .order_by(col(PulseResponse.relationship_id), col(PulseResponse.created_at))
    )
    return session.exec(statement).all()
