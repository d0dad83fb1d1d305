"""Queries about agreements, their versions, confirmations and plan items."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.models import Agreement, AgreementConfirmation, PlanItem
from storage.upsert import insert_or_update


def add(session: Session, agreement: Agreement) -> Agreement:
    session.add(agreement)
    session.flush()
    return agreement


def get(session: Session, *, team_id: str, agreement_id: int) -> Agreement | None:
    agreement = session.get(Agreement, agreement_id)
    return agreement if agreement is not None and agreement.team_id == team_id else None


def versions(session: Session, *, relationship_id: int) -> Sequence[Agreement]:
    statement = (
        select(Agreement)
        .where(Agreement.relationship_id == relationship_id)
        .order_by(col(Agreement.version))
    )
    return session.exec(statement).all()


def latest(session: Session, *, relationship_id: int) -> Agreement | None:
    statement = (
        select(Agreement)
        .where(Agreement.relationship_id == relationship_id)
        .order_by(col(Agreement.version).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def active(session: Session, *, relationship_id: int) -> Agreement | None:
    statement = select(Agreement).where(
        Agreement.relationship_id == relationship_id, Agreement.status == "active"
    )
    return session.exec(statement).first()


def confirm(session: Session, agreement: Agreement, *, person_id: int, at: datetime) -> bool:
    """Record one person's yes; False when they had already said it."""
    return insert_or_update(
        session,
        AgreementConfirmation,
        {
            "team_id": agreement.team_id,
            "agreement_id": agreement.id,
            "person_id": person_id,
            "confirmed_at": at,
        },
        conflict=("agreement_id", "person_id"),
    )


def confirmed_by(session: Session, *, agreement_id: int) -> set[int]:
    statement = select(AgreementConfirmation.person_id).where(
        AgreementConfirmation.agreement_id == agreement_id
    )
    return set(session.exec(statement).all())


def clear_confirmations(session: Session, *, agreement_id: int) -> None:
    session.execute(
        delete(AgreementConfirmation).where(col(AgreementConfirmation.agreement_id) == agreement_id)
    )


def replace_plan_items(
    session: Session,
    agreement: Agreement,
    items: Sequence[tuple[str, str, str, date | None]],
) -> None:
    """Make the agreement's plan items exactly `items`: (type, title, detail, due date)."""
    session.execute(delete(PlanItem).where(col(PlanItem.agreement_id) == agreement.id))
    assert agreement.id is not None
    for item_type, title, detail, due in items:
        session.add(
            PlanItem(
                team_id=agreement.team_id,
                agreement_id=agreement.id,
                item_type=item_type,
                title=title[:300],
                detail=detail,
                due_on=due,
            )
        )


def plan_items(session: Session, *, agreement_id: int) -> Sequence[PlanItem]:
    statement = (
        select(PlanItem).where(PlanItem.agreement_id == agreement_id).order_by(col(PlanItem.id))
    )
    return session.exec(statement).all()
