"""Request service levels: how long a request has waited, and what happens when it waits too long.

Every request's age is counted in working days in the requester's own time zone (weekends do
not count), the same way invitations expire. A request that no volunteer has accepted within
`MENTORBOT_REQUEST_SLA_WORKING_DAYS` working days is escalated exactly once: the coordinator
channel gets a post (who, the summary they chose to share, how long, where it stands, and an
Assign button), and the requester gets a DM saying it is still open, that the coordinators have
been asked, and how to cancel or change it. Both are rows in the nudge outbox, so the clock
sends them through the same exactly-once path (and the same per-person gates) as every other
message it sends.

Once per request, whatever the number of clocks: the escalation is claimed by a conditional
UPDATE of `requests.escalated_at`, and each message has a unique dedupe key on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import visibility
from bot.services import Services
from bot.workdays import add_working_days, working_days_between, working_moment, zone
from storage import nudges, requests
from storage.models import MentoringRequest, Person

TO_COORDINATORS = "request_overdue"
TO_REQUESTER = "request_waiting"
KINDS = (TO_COORDINATORS, TO_REQUESTER)


@dataclass(frozen=True)
class Standing:
    """Where a waiting request stands, for the words each audience is told."""

    status: str
    """open | matching | unmatched"""
    asked: str | None = None
    """The Slack id of the volunteer whose answer is awaited, if any."""
    answer_by: datetime | None = None


def age(created_at: datetime, now: datetime, tz_name: str | None, default_tz: str) -> int:
    """Whole working days a request created at `created_at` has waited by `now`."""
    return working_days_between(created_at, now, zone(tz_name, default_tz))


def age_text(days: int) -> str:
    if days <= 0:
        return "less than a working day"
    return "1 working day" if days == 1 else f"{days} working days"


def deadline(created_at: datetime, tz_name: str | None, default_tz: str, days: int) -> datetime:
    """When a request made at `created_at` passes its service level with nobody accepted."""
    return add_working_days(created_at, days, zone(tz_name, default_tz))


def for_coordinators(standing: Standing) -> str:
    """One line on where the request stands, for the coordinator channel."""
    if standing.asked is not None:
        due = ""
        if standing.answer_by is not None:
            due = f" (their answer is due by {standing.answer_by:%a %d %b})"
        return f"They asked <@{standing.asked}> and are waiting for an answer{due}."
    if standing.status == "unmatched":
        return "Nobody in the pool fits or has a free place: please assign someone by hand."
    return (
        "They have not asked anyone yet (the window may have been closed before choosing): "
        "please suggest someone."
    )


def for_requester(standing: Standing) -> str:
    """One line on where the request stands, for the requester's DM."""
    if standing.asked is not None:
        due = f" (due by {standing.answer_by:%a %d %b})" if standing.answer_by else ""
        return f"I'm still waiting for <@{standing.asked}>'s answer{due}."
    if standing.status == "unmatched":
        return "Nobody in the pool is free for this right now."
    return "You haven't asked anyone yet."


def plan_escalations(services: Services, *, now: datetime) -> int:
    """Escalate every request past its service level; returns the messages planned."""
    visibility.place("stage_alert")
    settings = services.settings
    days = settings.mentorbot_request_sla_working_days
    channel = settings.mentorbot_coordinator_channel
    added = 0
    with services.database.transaction() as session:
        # N working days are never fewer than N calendar days: a cheap first cut in SQL.
        found = requests.unescalated_since(session, created_before=now - timedelta(days=days))
        overdue = [
            (request, person)
            for request, person in found
            if deadline(request.created_at, person.tz, settings.mentorbot_default_timezone, days)
            <= now
        ]
        pending = requests.pending_invitees(
            session, request_ids=[request.id or 0 for request, _ in overdue]
        )
        for request, person in overdue:
            assert request.id is not None
            if not requests.mark_escalated(session, request_id=request.id, at=now):
                continue  # another clock got there first, or it was just matched
            asked, answer_by = pending.get(request.id, (None, None))
            standing = Standing(status=request.status, asked=asked, answer_by=answer_by)
            waited = age(request.created_at, now, person.tz, settings.mentorbot_default_timezone)
            if channel:
                added += nudges.plan(
                    session, _coordinator_row(request, person, standing, waited, channel, now)
                )
            added += nudges.plan(
                session,
                _requester_row(
                    request, person, standing, told=bool(channel), now=now, services=services
                ),
            )
    return added


def _coordinator_row(
    request: MentoringRequest,
    person: Person,
    standing: Standing,
    waited: int,
    channel: str,
    now: datetime,
) -> dict[str, object]:
    since = f"{request.created_at:%a %d %b}"
    return {
        "team_id": request.team_id,
        "channel": channel,
        "request_id": request.id,
        "kind": TO_COORDINATORS,
        "send_at": now,
        "reasons": "\n".join(
            (
                f"<@{person.slack_user_id}> has waited {age_text(waited)} (since {since}) "
                "and no volunteer has accepted yet.",
                for_coordinators(standing),
            )
        ),
        "dedupe_key": f"{TO_COORDINATORS}:{request.id}",
    }


def _requester_row(
    request: MentoringRequest,
    person: Person,
    standing: Standing,
    *,
    told: bool,
    now: datetime,
    services: Services,
) -> dict[str, object]:
    coordinators = (
        "I've asked the program coordinators to help find someone."
        if told
        else "I'll keep looking for someone."
    )
    tz = zone(person.tz, services.settings.mentorbot_default_timezone)
    return {
        "team_id": request.team_id,
        "person_id": person.id,
        "request_id": request.id,
        "kind": TO_REQUESTER,
        "send_at": working_moment(now, tz),
        "reasons": "\n".join((for_requester(standing), coordinators)),
        "dedupe_key": f"{TO_REQUESTER}:{request.id}",
    }
