"""The App Home tab: published when opened, and refreshed when something changes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import home, people
from bot.services import Services
from handlers import home_blocks, ids, request_blocks
from handlers.directory import SlackDirectory
from storage.models import Kind

log = logging.getLogger("mentorbot.home")


def refresh(client: WebClient, services: Services, team_id: str, users: Iterable[str]) -> None:
    """Publish the Home tab again for each person whose picture just changed."""
    for user_id in users:
        try:
            client.views_publish(
                user_id=user_id,
                view=home_blocks.home_view(
                    home.for_person(services, team_id=team_id, user_id=user_id)
                ),
            )
        except SlackApiError as error:
            log.warning("could not refresh a Home tab: %s", error.response.get("error"))


def home_opened(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    if event.get("tab") not in (None, "home"):
        return
    services: Services = context["services"]
    user_id = str(event["user"])
    people.note_contact(
        services, SlackDirectory(client), team_id=context.team_id or "", user_id=user_id
    )
    refresh(client, services, context.team_id or "", [user_id])


def ask_from_home(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    ack()
    kind = Kind.COACH if action.get("value") == "coach" else Kind.MENTOR
    client.views_open(trigger_id=body["trigger_id"], view=request_blocks.request_form(kind, ""))


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(ids.HOME_ASK_MENTOR)(ask_from_home)
    app.action(ids.HOME_ASK_COACH)(ask_from_home)
