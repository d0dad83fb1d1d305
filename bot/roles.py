"""Who may do what: coordinators run the program."""

from __future__ import annotations

import prompts
from bot.errors import NotAllowed
from bot.services import Services
from storage import audit


def is_coordinator(services: Services, user_id: str) -> bool:
    return user_id in services.settings.mentorbot_coordinators


def require_coordinator(
    services: Services, *, team_id: str, user_id: str, action: str, subject: str = ""
) -> None:
    """Raise NotAllowed for anyone but a coordinator, writing the refusal to the audit log."""
    if is_coordinator(services, user_id):
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
