"""Stage-stuck alerts: the coordinator channel hears, once per episode, when a relationship is
stuck at one of its stages.

- Asking: a request no volunteer accepted within its service level. That is
  `bot.service_levels` (the requester is told too).
- Agreeing: an active relationship whose agreement nobody confirmed within
  `MENTORBOT_AGREEMENT_WORKING_DAYS` working days of the match. Posted here, once per
  relationship (a relationship leaves this stage for good when a version becomes active).
- Running: an active relationship with no checkpoint ahead. That is `risk.NOTHING_AHEAD`, one
  of the at-risk reasons, posted once per at-risk episode by `risk_alerts.plan_at_risk`; it is not
  posted a second time here.

Each post is a nudge row with a unique dedupe key, so any number of clocks post it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import service_levels, visibility
from bot.services import Services
from bot.workdays import add_working_days, working_days_between, zone
from storage import agreements, nudges, relationships
from storage.models import Relationship

AGREEMENT_STUCK = "agreement_stuck"


def plan(services: Services, *, now: datetime) -> int:
    """Every stage-stuck alert owed at `now`: requests past their service level, then
    agreements left unconfirmed."""
    return service_levels.plan_escalations(services, now=now) + plan_agreements(services, now=now)


def plan_agreements(services: Services, *, now: datetime) -> int:
    visibility.place("stage_alert")
    channel = services.settings.mentorbot_coordinator_channel
    if not channel:
        return 0
    days = services.settings.mentorbot_agreement_working_days
    tz = zone(services.settings.mentorbot_default_timezone)
    added = 0
    with services.database.transaction() as session:
        found = relationships.without_active_agreement(
            session, started_before=now - timedelta(days=days)
        )
        late = [r for r in found if add_working_days(r.started_at, days, tz) <= now]
        done = nudges.existing_keys(session, keys=[_key(r) for r in late])
        for relationship in late:
            if _key(relationship) in done:
                continue
            added += nudges.plan(
                session,
                {
                    "team_id": relationship.team_id,
                    "channel": channel,
                    "relationship_id": relationship.id,
                    "kind": AGREEMENT_STUCK,
                    "send_at": now,
                    "reasons": "\n".join(_reasons(session, relationship, now, tz)),
                    "dedupe_key": _key(relationship),
                },
            )
    return added


def _key(relationship: Relationship) -> str:
    return f"{AGREEMENT_STUCK}:{relationship.id}"


def _reasons(
    session: Session, relationship: Relationship, now: datetime, tz: ZoneInfo
) -> list[str]:
    """Fixed wording, dates and Slack ids only: what stage the agreement is at, and who it
    waits for."""
    assert relationship.id is not None
    waited = working_days_between(relationship.started_at, now, tz)
    lines = [
        f"Matched on {relationship.started_at:%a %d %b}, {service_levels.age_text(waited)} "
        "ago, and the agreement is not confirmed yet."
    ]
    latest = agreements.latest(session, relationship_id=relationship.id)
    if latest is None:
        lines.append("Nobody has started the agreement.")
    elif latest.status == "proposed" and latest.id is not None:
        confirmed = agreements.confirmed_by(session, agreement_id=latest.id)
        waiting = [
            person.slack_user_id
            for person, _ in relationships.members(session, relationship_id=relationship.id)
            if person.id not in confirmed
        ]
        who = ", ".join(f"<@{user}>" for user in waiting[:3]) or "someone"
        lines.append(f"It is written and waiting for {who} to confirm.")
    else:
        lines.append("It is started but not finished.")
    return lines
