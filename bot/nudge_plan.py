"""Planning the checkpoint nudges: a reminder before each checkpoint, "how did it go?" after it,
one follow-up when nobody assessed it, and a snoozed reminder; past checkpoints are closed as done
or missed. Every plan is idempotent (each nudge row is unique by its dedupe key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import schedule
from bot.errors import NotFound, StaleAction
from bot.nudge_rules import ASSESS_USEFUL, MISSED_USEFUL
from bot.services import Services
from bot.workdays import add_working_days, working_moment, zone
from storage import assessments, checkpoints, nudges, people, relationships
from storage.models import Person

HORIZON = timedelta(days=14)
MISSED_AFTER_WORKING_DAYS = 2


def plan(services: Services, *, now: datetime) -> int:
    """Create the nudges the database says are owed; safe to run any number of times.

    Work per tick stays small at scale: members are read for all checkpoints in one query, and
    only nudges whose dedupe key does not exist yet are written."""
    with services.database.transaction() as session:
        coming = checkpoints.scheduled_between(session, start=now, end=now + HORIZON)
        recent = checkpoints.scheduled_between(session, start=now - ASSESS_USEFUL, end=now)
        wanted = [
            *_owed(services, session, coming, kind="before"),
            *_owed(services, session, recent, kind="assess"),
        ]
        existing = nudges.existing_keys(session, keys=[str(row["dedupe_key"]) for row in wanted])
        added = sum(
            nudges.plan(session, row) for row in wanted if row["dedupe_key"] not in existing
        )
        added += _close_past_checkpoints(services, session, now)
    return added


def _owed(
    services: Services, session: Session, found: Sequence[checkpoints.Due], *, kind: str
) -> list[dict[str, object]]:
    """The nudge rows each person in these checkpoints' relationships is owed."""
    members = relationships.members_by_relationship(
        session, relationship_ids={c.relationship_id for c in found}
    )
    rows: list[dict[str, object]] = []
    for checkpoint in found:
        for person in members.get(checkpoint.relationship_id, []):
            tz = zone(person.tz, services.settings.mentorbot_default_timezone)
            send_at = (
                _reminder_time(services, checkpoint.due_at, tz)
                if kind == "before"
                else working_moment(checkpoint.due_at + timedelta(hours=1), tz)
            )
            rows.append(
                {
                    "team_id": checkpoint.team_id,
                    "person_id": person.id,
                    "relationship_id": checkpoint.relationship_id,
                    "checkpoint_id": checkpoint.id,
                    "checkpoint_due_at": checkpoint.due_at,
                    "kind": kind,
                    "send_at": send_at,
                    "dedupe_key": _key(kind, checkpoint, person),
                }
            )
    return rows


def _key(kind: str, checkpoint: checkpoints.Due, person: Person) -> str:
    return f"{kind}:{checkpoint.id}:{person.id}:{checkpoint.due_at:%Y%m%dT%H%M}"


def _reminder_time(services: Services, due_at: datetime, tz: ZoneInfo) -> datetime:
    moment = due_at
    for _ in range(services.settings.mentorbot_nudge_days_before):
        moment = schedule.nudge_time(moment, tz.key, hour=services.settings.mentorbot_nudge_hour)
    return moment


def _close_past_checkpoints(services: Services, session: Session, now: datetime) -> int:
    """Past checkpoints: done when someone assessed them; missed (with one follow-up each)
    when nobody did within two working days."""
    added = 0
    past = checkpoints.scheduled_between(session, start=now - MISSED_USEFUL, end=now)
    answered = {
        a.checkpoint_id
        for a in assessments.for_checkpoints(session, checkpoint_ids=[c.id for c in past])
    }
    done = [c.id for c in past if c.id in answered]
    missed = [
        c
        for c in past
        if c.id not in answered
        and add_working_days(c.due_at, MISSED_AFTER_WORKING_DAYS, zone("UTC")) <= now
    ]
    checkpoints.close_scheduled(session, checkpoint_ids=done, status="done", at=now)
    checkpoints.close_scheduled(
        session, checkpoint_ids=[c.id for c in missed], status="missed", at=now
    )
    for checkpoint in missed:
        for person, _ in relationships.members(session, relationship_id=checkpoint.relationship_id):
            tz = zone(person.tz, services.settings.mentorbot_default_timezone)
            added += nudges.plan(
                session,
                {
                    "team_id": checkpoint.team_id,
                    "person_id": person.id,
                    "relationship_id": checkpoint.relationship_id,
                    "checkpoint_id": checkpoint.id,
                    "checkpoint_due_at": checkpoint.due_at,
                    "kind": "missed",
                    "send_at": working_moment(now, tz),
                    "dedupe_key": f"missed:{checkpoint.id}:{person.id}",
                },
            )
    return added


def plan_snooze(services: Services, *, team_id: str, user_id: str, checkpoint_id: int) -> datetime:
    """Remind this person again one working day later, if that is still before the checkpoint."""
    now = services.now()
    with services.database.transaction() as session:
        checkpoint = checkpoints.get(session, team_id=team_id, checkpoint_id=checkpoint_id)
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        if checkpoint is None or person is None or checkpoint.status != "scheduled":
            raise NotFound("That checkpoint is no longer scheduled.")
        tz = zone(person.tz, services.settings.mentorbot_default_timezone)
        again = working_moment(add_working_days(now, 1, tz), tz)
        if again >= checkpoint.due_at:
            raise StaleAction(
                "The checkpoint is before then, so I won't remind you again; "
                "I'll ask how it went afterwards."
            )
        nudges.plan(
            session,
            {
                "team_id": team_id,
                "person_id": person.id,
                "relationship_id": checkpoint.relationship_id,
                "checkpoint_id": checkpoint.id,
                "checkpoint_due_at": checkpoint.due_at,
                "kind": "before",
                "send_at": again,
                "dedupe_key": f"snooze:{checkpoint.id}:{person.id}:{again:%Y%m%d}",
            },
        )
        return again
