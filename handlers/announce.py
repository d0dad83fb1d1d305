"""Telling people what happened: the Slack side of domain outcomes.

Listeners and the clock both call these, so a declined invitation and an expired one reach the
requester in the same words.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import prompts
from bot import coordination, dm_gate, requesting, visibility
from bot.consent import Accepted, Passed
from bot.services import Services
from handlers import contracting, home, request_blocks
from handlers.blocks import BlockDicts, notice

log = logging.getLogger("mentorbot.announce")


def dm(
    client: WebClient,
    services: Services,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    text: str,
    blocks: BlockDicts,
    extra: dict[str, Any] | None = None,
) -> tuple[str, str] | None:
    """A DM the bot starts with one person, through the nudge budget (bot/dm_gate.py): posted
    now, returning (channel, ts), or None when the budget or the person's pause queued it for
    the clock to send later. `kind` must be one of dm_budget.PRIORITIES."""
    ticket = dm_gate.admit(
        services,
        team_id=team_id,
        slack_user_id=user_id,
        kind=kind,
        text=text,
        blocks=blocks,
        extra=extra,
    )
    if ticket is None:
        log.info("a %s DM waits for room in the person's weekly budget", kind)
        return None
    try:
        return reply_dm(client, user_id, text, blocks)
    except SlackApiError:
        dm_gate.withdraw(services, ticket)
        raise


def reply_dm(client: WebClient, user_id: str, text: str, blocks: BlockDicts) -> tuple[str, str]:
    """A DM answering the person's own command or click (not counted by the nudge budget)."""
    opened = client.conversations_open(users=user_id)
    channel = str(opened["channel"]["id"])
    posted = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    return channel, str(posted["ts"])


def invitation(client: WebClient, services: Services, invited: requesting.Invited) -> None:
    visibility.place("invitation")
    posted = dm(
        client,
        services,
        team_id=invited.card.team_id,
        user_id=invited.volunteer_slack_id,
        kind="invitation",
        text="Someone would like you as their mentor or coach.",
        blocks=request_blocks.invitation_message(invited),
        extra={"invitation_id": invited.invitation_id},
    )
    if posted is None:
        return
    channel, ts = posted
    requesting.remember_invitation_message(
        services,
        team_id=invited.card.team_id,
        invitation_id=invited.invitation_id,
        channel=channel,
        ts=ts,
    )


def accepted(client: WebClient, services: Services, outcome: Accepted) -> None:
    _replace(
        client,
        outcome.invitation.slack_channel,
        outcome.invitation.slack_ts,
        prompts.render("invitation_accepted", requester=f"<@{outcome.requester_slack_id}>"),
    )
    dm(
        client,
        services,
        team_id=outcome.team_id,
        user_id=outcome.requester_slack_id,
        kind="request_update",
        text="Good news: your request was accepted.",
        blocks=request_blocks.accepted_for_requester(outcome),
    )
    reply_dm(
        client,
        outcome.guide_slack_id,
        "Thank you for accepting.",
        request_blocks.accepted_for_guide(outcome),
    )
    contracting.kickoff(
        client, services, team_id=outcome.team_id, relationship_id=outcome.relationship_id
    )
    home.refresh(
        client, services, outcome.team_id, [outcome.requester_slack_id, outcome.guide_slack_id]
    )


def passed(client: WebClient, services: Services, outcome: Passed) -> None:
    """A volunteer declined or let it expire: close their buttons, offer the requester the next
    candidates, or hand the request to the coordinators."""
    line = "invitation_expired" if outcome.expired else "invitation_declined"
    _replace(
        client,
        outcome.invitation.slack_channel,
        outcome.invitation.slack_ts,
        prompts.render(line, requester=f"<@{outcome.card.requester_slack_id}>"),
    )
    dm(
        client,
        services,
        team_id=outcome.card.team_id,
        user_id=outcome.card.requester_slack_id,
        kind="request_update",
        text="An update on your request.",
        blocks=request_blocks.passed_for_requester(outcome),
    )
    if outcome.queued:
        queue(client, services, outcome.card)


def withdrawn(client: WebClient, channel: str | None, ts: str | None) -> None:
    _replace(client, channel, ts, prompts.render("invitation_withdrawn"))


def queue(client: WebClient, services: Services, card: requesting.RequestCard) -> None:
    """Post a request nobody could take to the coordinator channel, once."""
    channel = services.settings.mentorbot_coordinator_channel
    if channel is None:
        log.warning(
            "request %s needs a coordinator but no coordinator channel is set", card.request_id
        )
        return
    if not coordination.mark_notified(services, team_id=card.team_id, request_id=card.request_id):
        return
    client.chat_postMessage(
        channel=channel,
        text="A request is waiting for a mentor or coach.",
        blocks=request_blocks.queue_message(card, age(card.created_at, services.now())),
    )


def age(since: datetime, now: datetime) -> str:
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return "just now" if minutes < 2 else f"{minutes} minutes"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"


def _replace(client: WebClient, channel: str | None, ts: str | None, text: str) -> None:
    """Swap a message's buttons for a one-line outcome, so nobody clicks an answered question."""
    if channel is None or ts is None:
        return
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=notice(text))
    except SlackApiError as error:
        log.warning("could not update an answered message: %s", error.response.get("error"))
