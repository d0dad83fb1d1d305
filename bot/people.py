"""People as Mentorbot knows them: remembered on first contact, profile refreshed from Slack."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ports import Directory
from bot.services import Services
from storage import people


@dataclass(frozen=True)
class Known:
    id: int
    slack_user_id: str
    display_name: str
    tz: str


def note_contact(services: Services, directory: Directory, *, team_id: str, user_id: str) -> Known:
    """Remember that `user_id` used the bot; fetch their name and time zone the first time."""
    now = services.now()
    with services.database.transaction() as session:
        person = people.seen(session, team_id=team_id, slack_user_id=user_id, at=now)
        needs_profile = not person.display_name
    if needs_profile:
        profile = directory.profile(user_id)
        if profile is not None:
            with services.database.transaction() as session:
                person = people.seen(session, team_id=team_id, slack_user_id=user_id, at=now)
                people.update_profile(
                    session, person, display_name=profile.display_name, tz=valid_zone(profile.tz)
                )
    assert person.id is not None
    return Known(
        id=person.id,
        slack_user_id=user_id,
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
