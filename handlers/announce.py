"""Telling people what happened: the Slack side of domain outcomes.

Listeners and the clock both call these, so a declined invitation and an expired one reach the
requester in the same words.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import prompts
from bot import coordination, requesting, visibility
from bot.consent import Accepted, Passed
from bot.services import Services
from handlers import contracting, home, request_blocks
from handlers.blocks import BlockDicts, notice

log = logging.getLogger("mentorbot.announce")


def dm(client: WebClient, user_id: str, text: str, blocks: BlockDicts) -> tuple[str, str]:
    """Post a DM from the bot to one person; returns (channel, ts)."""
    opened = client.conversations_open(users=user_id)
    channel = str(opened["channel"]["id"])
    posted = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    return channel, str(posted["ts"])


def invitation(client: WebClient, services: Services, invited: requesting.Invited) -> None:
    visibility.place("invitation")
    channel, ts = dm(
        client,
        invited.volunteer_slack_id,
        "Someone would like you as their mentor or coach.",
        request_blocks.invitation_message(invited),
    )
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
        outcome.requester_slack_id,
        "Good news: your request was accepted.",
        request_blocks.accepted_for_requester(outcome),
    )
    dm(
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
        outcome.card.requester_slack_id,
        "An update on your request.",
        request_blocks.passed_for_requester(outcome),
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
