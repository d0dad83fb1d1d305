"""What the clock runs on each tick, with Slack on the sending side."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import consent
from bot.services import Services
from handlers import announce


def expire_invitations(client: WebClient, services: Services) -> int:
    """Invitations past their answer-by time: offer each requester the next candidate."""
    outcomes = consent.expire_due(services)
    for outcome in outcomes:
        announce.passed(client, services, outcome)
    return len(outcomes)
