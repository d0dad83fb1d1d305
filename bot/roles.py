"""Who may do what: coordinators run the program."""

from __future__ import annotations

from bot.services import Services


def is_coordinator(services: Services, user_id: str) -> bool:
    return user_id in services.settings.mentorbot_coordinators
