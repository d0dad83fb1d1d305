"""Queries about people: the Slack users Mentorbot knows."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, func
from sqlmodel import Session, col, select

from storage.models import Person, Reflection
from storage.upsert import insert_or_update


def seen(session: Session, *, team_id: str, slack_user_id: str, at: datetime) -> Person:
    """Record that a person used Mentorbot at `at`, creating them on first contact."""
    insert_or_update(
        session,
        Person,
        {
            "team_id": team_id,
            "slack_user_id": slack_user_id,
            "last_seen_at": at,
            "created_at": at,
            "display_name": "",
            "nudges_muted": False,
        },
        conflict=("team_id", "slack_user_id"),
        update=("last_seen_at",),
    )
    person = by_slack_id(session, team_id=team_id, slack_user_id=slack_user_id)
    assert person is not None
    return person


class LastSeen(NamedTuple):
    last_seen_at: datetime
    display_name: str


def last_seen(connection: Connection, *, team_id: str, slack_user_id: str) -> LastSeen | None:
    """When the person was last seen and the name we know them by; None for a stranger. One
    statement of plain values: a bare connection will do (`Database.reading_rows`)."""
    row = connection.execute(_LAST_SEEN, {"team": team_id, "user": slack_user_id})
    found = row.first()
    return LastSeen(*found) if found is not None else None


_LAST_SEEN = select(col(Person.last_seen_at), col(Person.display_name)).where(
    Person.team_id == bindparam("team"), Person.slack_user_id == bindparam("user")
)


def by_slack_id(session: Session, *, team_id: str, slack_user_id: str) -> Person | None:
    statement = select(Person).where(
        Person.team_id == team_id, Person.slack_user_id == slack_user_id
    )
    return session.exec(statement).first()


def update_profile(session: Session, person: Person, *, display_name: str, tz: str | None) -> None:
    person.display_name = display_name
    person.tz = tz
    session.add(person)


def manager_links(session: Session, *, team_id: str) -> dict[str, str | None]:
    """slack_user_id -> their manager's slack id, for everyone in the workspace."""
    statement = select(Person.slack_user_id, Person.manager_slack_id).where(
        Person.team_id == team_id
    )
    return dict(session.exec(statement).all())


def by_ids(session: Session, *, team_id: str, person_ids: list[int]) -> list[Person]:
    statement = select(Person).where(Person.team_id == team_id, col(Person.id).in_(person_ids))
    return list(session.exec(statement).all())


def reflection_count(session: Session, *, person_id: int) -> int:
    statement = (
        select(func.count()).select_from(Reflection).where(Reflection.author_id == person_id)
    )
    return int(session.exec(statement).one())


def set_muted(session: Session, person: Person, *, muted: bool) -> None:
    person.nudges_muted = muted
    session.add(person)


def teams(session: Session) -> list[str]:
    """Every workspace Mentorbot has seen someone in."""
    statement = select(Person.team_id).distinct()
    return sorted(session.exec(statement).all())
