"""Who may do what: coordinators run the program.

A coordinator is listed in MENTORBOT_COORDINATORS or added in Slack by another coordinator.
Anyone else asking for a coordinator command gets a polite refusal, written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

import prompts
from bot.errors import NotAllowed, StaleAction
from bot.services import Services
from storage import audit, coordinators


@dataclass(frozen=True)
class Roster:
    configured: tuple[str, ...]
    added: tuple[str, ...]


def is_coordinator(services: Services, user_id: str, *, team_id: str = "") -> bool:
    if user_id in services.settings.mentorbot_coordinators:
        return True
    if not team_id:
        return False
    with services.database.reading() as session:
        return coordinators.is_listed(session, team_id=team_id, slack_user_id=user_id)


def require_coordinator(
    services: Services, *, team_id: str, user_id: str, action: str, subject: str = ""
) -> None:
    """Raise NotAllowed for anyone but a coordinator, writing the refusal to the audit log."""
    if is_coordinator(services, user_id, team_id=team_id):
        return
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action=f"refused.{action}",
            at=services.now(),
            subject=subject,
        )
    raise NotAllowed(prompts.render("coordinators_only"))


def add(services: Services, *, team_id: str, by: str, user_id: str) -> None:
    require_coordinator(services, team_id=team_id, user_id=by, action="coordinators.add")
    with services.database.transaction() as session:
        if not coordinators.add(
            session, team_id=team_id, slack_user_id=user_id, added_by=by, at=services.now()
        ):
            raise StaleAction("They are a coordinator already.")
        audit.record(
            session,
            team_id=team_id,
            actor=by,
            action="coordinators.add",
            at=services.now(),
            subject=f"user:{user_id}",
        )


def remove(services: Services, *, team_id: str, by: str, user_id: str) -> None:
    require_coordinator(services, team_id=team_id, user_id=by, action="coordinators.remove")
    if user_id in services.settings.mentorbot_coordinators:
        raise NotAllowed(
            "That coordinator is set in the app's configuration "
            "(MENTORBOT_COORDINATORS); ask whoever runs Mentorbot to remove them."
        )
    with services.database.transaction() as session:
        if not coordinators.remove(session, team_id=team_id, slack_user_id=user_id):
            raise StaleAction("They are not a coordinator.")
        audit.record(
            session,
            team_id=team_id,
            actor=by,
            action="coordinators.remove",
            at=services.now(),
            subject=f"user:{user_id}",
        )


def roster(services: Services, *, team_id: str, by: str) -> Roster:
    require_coordinator(services, team_id=team_id, user_id=by, action="coordinators.list")
    with services.database.reading() as session:
        added = tuple(coordinators.listed(session, team_id=team_id))
    return Roster(configured=services.settings.mentorbot_coordinators, added=added)
