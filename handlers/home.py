"""The App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import people
from bot.services import Services
from bot.text import escape_mrkdwn
from handlers import blocks
from handlers.directory import SlackDirectory


def home_opened(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    if event.get("tab") not in (None, "home"):
        return
    services: Services = context["services"]
    user_id = str(event["user"])
    known = people.note_contact(
        services, SlackDirectory(client), team_id=context.team_id or "", user_id=user_id
    )
    client.views_publish(user_id=user_id, view=blocks.home_view(escape_mrkdwn(known.display_name)))


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
