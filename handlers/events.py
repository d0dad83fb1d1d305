"""Events API: de-duplicating Slack's retries before any listener runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.services import Services
from storage import events


def drop_event_retries(
    body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
) -> BoltResponse | None:
    """Slack re-sends an event when it thinks we missed it; run each event id once."""
    if body.get("type") != "event_callback" or not body.get("event_id"):
        return next()
    services: Services = context["services"]
    with services.database.transaction() as session:
        first = events.first_receipt(
            session,
            team_id=str(body.get("team_id") or context.team_id or ""),
            event_id=str(body["event_id"]),
            at=services.now(),
        )
    if not first:
        return BoltResponse(status=200, body="")
    return next()


def register(app: App) -> None:
    app.middleware(drop_event_retries)
