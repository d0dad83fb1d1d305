"""Queries for the record of the bot's own DMs (the nudge budget counts it) and a person's
pause and stop state.

A row is written in the same transaction that decides to send, before the message goes out (a
reservation): a crash between the two over-counts by one, never under-counts. Deciding starts by
locking the person's row, so two processes deciding for the same person take turns (PostgreSQL
`FOR UPDATE`; SQLite transactions already begin with a write lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from storage.models import BotDm, Nudge, Person


def lock_person(session: Session, *, person_id: int) -> Person | None:
    statement = (
        select(Person)
        .where(col(Person.id) == person_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).first()


def sent_since(session: Session, *, person_id: int, since: datetime) -> list[datetime]:
    statement = select(BotDm.sent_at).where(
        col(BotDm.person_id) == person_id, col(BotDm.sent_at) > since
    )
    return list(session.exec(statement).all())


def recent_answers(session: Session, *, person_id: int, limit: int) -> list[bool]:
    """Whether each of the person's last `limit` DMs that asked for an answer got one, newest
    first."""
    statement = (
        select(BotDm.answered_at)
        .where(col(BotDm.person_id) == person_id, col(BotDm.needs_answer))
        .order_by(col(BotDm.sent_at).desc(), col(BotDm.id).desc())
        .limit(limit)
    )
    return [answered is not None for answered in session.exec(statement).all()]


def reserve(
    session: Session,
    *,
    team_id: str,
    person_id: int,
    kind: str,
    priority: int,
    at: datetime,
    needs_answer: bool,
    items: int = 1,
) -> int:
    row = BotDm(
        team_id=team_id,
        person_id=person_id,
        kind=kind,
        priority=priority,
        items=items,
        sent_at=at,
        needs_answer=needs_answer,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def cancel(session: Session, *, dm_id: int) -> None:
    """Slack refused the DM for good: it does not count."""
    session.execute(update(Nudge).where(col(Nudge.dm_id) == dm_id).values(dm_id=None))
    session.execute(delete(BotDm).where(col(BotDm.id) == dm_id))


def heard_from(session: Session, *, team_id: str, slack_user_id: str, at: datetime) -> bool:
    """The person answered something: every DM waiting for an answer counts as answered, and
    the bot nudges them again. True when they had been stopped."""
    person = session.exec(
        select(Person).where(
            col(Person.team_id) == team_id, col(Person.slack_user_id) == slack_user_id
        )
    ).first()
    if person is None or person.id is None:
        return False
    session.execute(
        update(BotDm)
        .where(
            col(BotDm.person_id) == person.id,
            col(BotDm.needs_answer),
            col(BotDm.answered_at).is_(None),
        )
        .values(answered_at=at)
    )
    was_stopped = person.nudges_stopped_at is not None
    if was_stopped:
        person.nudges_stopped_at = None
        session.add(person)
    return was_stopped


def count_since(session: Session, *, person_id: int, since: datetime) -> int:
    statement = select(func.count()).where(
        col(BotDm.person_id) == person_id, col(BotDm.sent_at) > since
    )
    return int(session.exec(statement).one())


def set_pause(session: Session, person: Person, *, until: datetime | None) -> None:
    person.paused_until = until
    if until is None:
        person.nudges_stopped_at = None
    session.add(person)


def for_person(session: Session, *, person_id: int) -> Sequence[BotDm]:
    statement = select(BotDm).where(col(BotDm.person_id) == person_id).order_by(col(BotDm.id))
    return session.exec(statement).all()
