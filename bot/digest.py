"""The program digest: a daily or weekly summary posted to the coordinator channel by the clock."""

from __future__ import annotations

from datetime import datetime

from bot import program_status, visibility
from bot.services import Services
from bot.workdays import working_moment, zone
from storage import nudges, people


def period_of(moment: datetime, cadence: str) -> str | None:
    if cadence == "daily":
        return moment.strftime("%Y-%m-%d")
    if cadence == "weekly":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    return None


def lines(status: program_status.Status) -> list[str]:
    """The digest's few lines: counts only, like the status it summarises."""
    visibility.place("digest")
    kept = program_status.completion_rate(status.completion_30)
    return [
        f"{status.total_active} active relationships, {status.waiting} requests waiting",
        f"{max(status.places - status.places_used, 0)} of {status.places} volunteer places free",
        "checkpoints kept in the last 30 days: "
        + ("no checkpoints yet" if kept is None else f"{kept:.0%}"),
        f"{len(status.at_risk)} at risk, {status.appreciation} thank-yous sent",
    ]


def plan(services: Services, *, now: datetime) -> int:
    """Plan this period's digest. The period is that of the moment it will be *sent*: planned on
    a weekend, it goes out on Monday and is Monday's week's digest, not a second one."""
    tz = zone(services.settings.mentorbot_default_timezone)
    send_at = working_moment(now, tz)
    period = period_of(send_at.astimezone(tz), services.settings.mentorbot_digest)
    channel = services.settings.mentorbot_coordinator_channel
    if period is None or channel is None:
        return 0
    added = 0
    with services.database.reading() as session:
        teams = people.teams(session)
    for team_id in teams:
        summary = program_status.overview(
            services, team_id=team_id, filters=program_status.Filters()
        )
        with services.database.transaction() as session:
            added += nudges.plan(
                session,
                {
                    "team_id": team_id,
                    "channel": channel,
                    "kind": "digest",
                    "send_at": send_at,
                    "reasons": "\n".join(lines(summary)),
                    "dedupe_key": f"digest:{team_id}:{period}",
                },
            )
    return added
