"""What the clock runs on each tick, with Slack on the sending side.

The sending sweeps take one `WebClient` (a single workspace) or a `ClientFor` lookup (several
workspaces installed through OAuth: each message goes with its own workspace's token, and a
workspace that uninstalled the app is sent nothing).
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot import (
    consent,
    digest,
    mentor_reports,
    nudge_plan,
    nudge_send,
    pulse,
    risk_alerts,
    stage_alerts,
)
from bot.ports import NudgeSender
from bot.services import Services
from handlers import announce
from handlers.nudge_sender import SlackNudgeSender
from handlers.workspaces import ClientFor, WorkspaceNudgeSender

log = logging.getLogger("mentorbot.sweeps")


def expire_invitations(client: WebClient | ClientFor, services: Services) -> int:
    """Invitations past their answer-by time: offer each requester the next candidate."""
    outcomes = consent.expire_due(services)
    for outcome in outcomes:
        team_id = outcome.invitation.team_id
        speaker = client if isinstance(client, WebClient) else client(team_id)
        if speaker is None:
            log.info("invitation expired in workspace %s, which has no installation", team_id)
            continue
        announce.passed(speaker, services, outcome)
    return len(outcomes)


def send_nudges(
    client: WebClient | ClientFor,
    services: Services,
    *,
    worker: str,
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[nudge_send.SweepLine]:
    """Plan what the database says is owed, then send what is due (exactly once)."""
    moment = now or services.now()
    if not dry_run:
        nudge_plan.plan(services, now=moment)
    sender: NudgeSender = (
        SlackNudgeSender(client)
        if isinstance(client, WebClient)
        else WorkspaceNudgeSender(services, client)
    )
    return nudge_send.send_due(services, sender, now=moment, worker=worker, dry_run=dry_run)


def plan_surveys_and_digest(services: Services, *, now: datetime | None = None) -> int:
    """Pulse surveys due this period, and the coordinators' digest."""
    moment = now or services.now()
    return pulse.plan(services, now=moment) + digest.plan(services, now=moment)


def flag_at_risk(services: Services, *, now: datetime | None = None) -> int:
    """At-risk relationships, and periodic reports due from guides: both owe a message."""
    moment = now or services.now()
    return risk_alerts.plan_at_risk(services, now=moment) + mentor_reports.plan_periodic(
        services, now=moment
    )


def flag_stuck_stages(services: Services, *, now: datetime | None = None) -> int:
    """Requests past their service level and agreements left unconfirmed: each owes the
    coordinator channel one post (and a request's author one DM). Sent by `send_nudges`."""
    return stage_alerts.plan(services, now=now or services.now())
