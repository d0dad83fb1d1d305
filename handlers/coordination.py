"""Listeners for the coordinators' queue: assigning a waiting request by hand."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

import prompts
from bot import coordination, people
from bot.errors import DomainError
from bot.roles import require_coordinator
from bot.services import Services
from handlers import announce, ids, request_blocks, view_state
from handlers.blocks import notice
from handlers.replies import whisper


def open_assign(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    request_id = view_state.number(action.get("value")) or 0
    try:
        require_coordinator(
            context["services"],
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            action="assign",
            subject=f"request:{request_id}",
        )
    except DomainError as refusal:
        whisper(respond, str(refusal))
        return
    client.views_open(trigger_id=body["trigger_id"], view=request_blocks.assign_form(request_id))


def submit_assign(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services: Services = context["services"]
    team_id = context.team_id or ""
    chosen = view_state.user(view["state"]["values"], ids.ASSIGN_PERSON)
    if not chosen:
        ack(response_action="errors", errors={ids.ASSIGN_PERSON: "Please pick a person."})
        return
    request_id = view_state.number(view_state.metadata(view).get("request_id")) or 0
    volunteer = people.ensure(services, team_id=team_id, user_id=chosen)
    try:
        invited = coordination.assign_by_hand(
            services,
            team_id=team_id,
            coordinator=context.user_id or "",
            request_id=request_id,
            volunteer=volunteer,
        )
    except DomainError as problem:
        ack(response_action="errors", errors={ids.ASSIGN_PERSON: str(problem)})
        return
    ack()
    announce.invitation(client, services, invited)
    channel = services.settings.mentorbot_coordinator_channel
    if channel:
        text = prompts.render(
            "assigned_by_hand",
            coordinator=f"<@{context.user_id}>",
            volunteer=f"<@{chosen}>",
            requester=f"<@{invited.card.requester_slack_id}>",
        )
        client.chat_postMessage(channel=channel, text=text, blocks=notice(text))


def register(app: App) -> None:
    app.action(ids.QUEUE_ASSIGN)(open_assign)
    app.view(ids.ASSIGN_FORM)(submit_assign)
