"""Listeners for a volunteer's answer: Accept, Decline (with an optional reason)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import consent
from bot.errors import DomainError
from bot.forms import FormErrors, parse_reason
from bot.services import Services
from bot.text import escape_mrkdwn
from handlers import announce, ids, request_blocks, view_state
from handlers.replies import whisper


def accept(
    ack: Ack, action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    try:
        outcome = consent.accept(
            context["services"],
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            invitation_id=view_state.number(action.get("value")) or 0,
        )
    except DomainError as problem:
        whisper(respond, escape_mrkdwn(str(problem)))
        return
    announce.accepted(client, context["services"], outcome)


def open_decline(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    ack()
    invitation_id = view_state.number(action.get("value")) or 0
    client.views_open(
        trigger_id=body["trigger_id"], view=request_blocks.decline_form(invitation_id)
    )


def submit_decline(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services: Services = context["services"]
    try:
        reason = parse_reason(view_state.text(view["state"]["values"], ids.DECLINE_REASON))
    except FormErrors as invalid:
        ack(response_action="errors", errors={ids.DECLINE_REASON: invalid.errors["reason"]})
        return
    invitation_id = view_state.number(view_state.metadata(view).get("invitation_id")) or 0
    try:
        outcome = consent.decline(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            invitation_id=invitation_id,
            reason=reason,
        )
    except DomainError as problem:
        ack(
            response_action="update",
            view=request_blocks.notice_view("Mentorbot", escape_mrkdwn(str(problem))),
        )
        return
    ack()
    announce.passed(client, services, outcome)


def register(app: App) -> None:
    app.action(ids.INVITE_ACCEPT)(accept)
    app.action(ids.INVITE_DECLINE)(open_decline)
    app.view(ids.DECLINE_FORM)(submit_decline)
