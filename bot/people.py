"""People as Mentorbot knows them: remembered on first contact, profile refreshed from Slack."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ports import Directory
from bot.services import Services
from storage import people
from storage.models import Person


@dataclass(frozen=True)
class Known:
    id: int
    slack_user_id: str
    display_name: str
    tz: str


def ensure(services: Services, *, team_id: str, user_id: str) -> Known:
    """Remember that `user_id` used the bot, without asking Slack: safe before an ack."""
    with services.database.transaction() as session:
        person = people.seen(session, team_id=team_id, slack_user_id=user_id, at=services.now())
    return _known(services, person)


def note_contact(services: Services, directory: Directory, *, team_id: str, user_id: str) -> Known:
    """`ensure`, plus the person's name and time zone from Slack the first time we see them."""
    known = ensure(services, team_id=team_id, user_id=user_id)
    if known.display_name:
        return known
    profile = directory.profile(user_id)
    if profile is None:
        return known
    with services.database.transaction() as session:
        person = people.seen(session, team_id=team_id, slack_user_id=user_id, at=services.now())
        people.update_profile(
            session, person, display_name=profile.display_name, tz=valid_zone(profile.tz)
        )
    return _known(services, person)


def note_use(services: Services, directory: Directory, *, team_id: str, user_id: str) -> None:
    """After a command's ack: `note_contact`, unless the person was seen less than SEEN_EVERY
    ago (by this process, or as the database says). A burst of commands then costs no write,
    and a person already noted costs no query either; "last seen" stays within SEEN_EVERY."""
    now = services.now()
    if services.contacts.recent(team_id, user_id, now):
        return
    with services.database.reading_rows() as connection:
        seen = people.last_seen(connection, team_id=team_id, slack_user_id=user_id)
    if seen is not None and seen.display_name and services.contacts.fresh(seen.last_seen_at, now):
        services.contacts.note(team_id, user_id, seen.last_seen_at)
        return
    note_contact(services, directory, team_id=team_id, user_id=user_id)
    services.contacts.note(team_id, user_id, now)


def _known(services: Services, person: Person) -> Known:
    assert person.id is not None
    return Known(
        id=person.id,
        slack_user_id=person.slack_user_id,
        display_name=person.display_name,
        tz=person.tz or services.settings.mentorbot_default_timezone,
    )


def valid_zone(name: str | None) -> str | None:
    """Slack's `tz` is an IANA name or null; keep it only if zoneinfo knows it."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def set_muted(services: Services, *, team_id: str, user_id: str, muted: bool) -> None:
    """Mute or unmute non-essential nudges (reminders and follow-ups) for this person."""
    with services.database.transaction() as session:
        person = people.seen(session, team_id=team_id, slack_user_id=user_id, at=services.now())
        people.set_muted(session, person, muted=muted)
