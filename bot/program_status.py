"""The coordinators' overview of the program: health, at-risk relationships, waiting requests.

Only metadata leaves this module: who, when, statuses, counts and ratings as numbers. Private
reflections, confidential agreement text and the free text of requests never do.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot import health, risk, service_levels, visibility
from bot.commands import mentioned_users
from bot.errors import NotFound
from bot.roles import require_coordinator
from bot.services import Services
from bot.text import shorten
from storage import audit, people, requests
from storage import program_status as queries

KINDS = {
    "mentoring": ("mentoring",),
    "coaching": ("coaching", "group_coaching", "observation"),
}
RISK_LABELS = {
    risk.MISSED_IN_A_ROW: "checkpoints missed in a row",
    risk.SILENT: "nobody has responded for weeks",
    risk.BLOCKED_CODE: "someone reported being blocked",
    risk.BEHIND_IN_A_ROW: "behind at consecutive checkpoints",
    risk.NOTHING_AHEAD: "no checkpoint scheduled",
}
AT_RISK_SHOWN = 10
AT_RISK_CONSIDERED = 50
"""At-risk relationships (the longest at risk) scored for `status`; the AT_RISK_SHOWN lowest
scores among them are shown. Bounded so `status` stays fast on a large program."""
QUEUE_SHOWN = 10
REQUEST_KINDS = {"mentoring": "mentor", "coaching": "coach"}
DEFAULT_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    person: str | None = None
    since: date | None = None

    def describe(self) -> str:
        parts = [self.kind or "all kinds"]
        if self.person:
            parts.append(f"<@{self.person}>")
        if self.since:
            parts.append(f"since {self.since:%d %b %Y}")
        return ", ".join(parts)


class FilterError(ValueError):
    """The filter text could not be understood; the message says how to write it."""


def parse_filters(text: str) -> Filters:
    """`mentoring|coaching`, `@person`, `since YYYY-MM-DD`, in any order."""
    users = mentioned_users(text)
    words = [w for w in text.split() if not w.startswith("<@")]
    kind = None
    since = None
    rest = []
    index = 0
    while index < len(words):
        word = words[index].lower()
        if word in KINDS:
            kind = word
        elif word == "since" and index + 1 < len(words):
            try:
                since = date.fromisoformat(words[index + 1])
            except ValueError:
                raise FilterError("Write the date as since 2026-01-01.") from None
            index += 1
        else:
            rest.append(words[index])
        index += 1
    if rest:
        raise FilterError(
            f"I don't understand {shorten(' '.join(rest), 60)!r}: try `status mentoring`, "
            "`status @person` or `status since 2026-01-01`."
        )
    return Filters(kind=kind, person=users[0] if users else None, since=since)


@dataclass(frozen=True)
class AtRisk:
    relationship_id: int
    people: tuple[str, ...]
    reasons: tuple[str, ...]
    since: datetime
    health: int | None = None
    """The relationship's 0-100 health score (see bot.health)."""
    health_reasons: tuple[str, ...] = ()
    """What pulls the score down most: counts and dates only."""


@dataclass(frozen=True)
class Waiting:
    """One request in the queue: who, what kind, how long, where it stands; never its text."""

    request_id: int
    requester: str
    kind: str
    waited: int
    """Whole working days, in the requester's zone."""
    status: str
    asked: str | None
    """The volunteer whose answer is awaited, if any."""
    escalated_at: datetime | None


@dataclass(frozen=True)
class Status:
    filters: Filters
    active: dict[str, int]
    waiting: int
    oldest_wait_days: float | None
    """Working days."""
    median_wait_days: float | None
    """Working days."""
    median_match_days: float | None
    """Calendar days from request to acceptance."""
    queue: tuple[Waiting, ...]
    """The oldest waiting requests, oldest first (at most QUEUE_SHOWN)."""
    volunteers: int
    places: int
    places_used: int
    completion_30: tuple[int, int]
    completion_90: tuple[int, int]
    at_risk: tuple[AtRisk, ...]
    appreciation: int
    closed: dict[str, int]
    pulse_average: float | None
    pulse_answers: int
    pulse_lowest: tuple[tuple[tuple[str, ...], float], ...]

    @property
    def total_active(self) -> int:
        return sum(self.active.values())


def completion_rate(kept_missed: tuple[int, int]) -> float | None:
    kept, missed = kept_missed
    return None if kept + missed == 0 else kept / (kept + missed)


def status(services: Services, *, team_id: str, user_id: str, filters: Filters) -> Status:
    """The overview for a coordinator who asked for it (refused and audited for anyone else)."""
    require_coordinator(services, team_id=team_id, user_id=user_id, action="status")
    visibility.place("status")
    result = overview(services, team_id=team_id, filters=filters)
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action="view.status",
            at=services.now(),
            detail={"filters": filters.describe()},
        )
    return result


def overview(services: Services, *, team_id: str, filters: Filters) -> Status:
    """The overview itself, for `status` and for the clock's digest."""
    now = services.now()
    since = (
        datetime.combine(filters.since, time(), tzinfo=UTC)
        if filters.since
        else now - DEFAULT_WINDOW
    )
    kinds = KINDS.get(filters.kind or "")
    with services.database.reading() as session:
        person_id = None
        if filters.person:
            person = people.by_slack_id(session, team_id=team_id, slack_user_id=filters.person)
            if person is None:
                raise NotFound("I have no records about that person.")
            person_id = person.id
        waiting = queries.waiting_requests(
            session,
            team_id=team_id,
            person_id=person_id,
            kind=REQUEST_KINDS.get(filters.kind or ""),
        )
        default_tz = services.settings.mentorbot_default_timezone
        ages = [service_levels.age(w.created_at, now, w.requester_tz, default_tz) for w in waiting]
        asked = requests.pending_invitees(
            session, request_ids=[w.request_id for w in waiting[:QUEUE_SHOWN]]
        )
        matches = queries.match_durations(
            session, team_id=team_id, since=since, kinds=kinds, person_id=person_id
        )
        volunteers, places, used = queries.capacity(session, team_id=team_id)
        risky = queries.at_risk(
            session, limit=AT_RISK_CONSIDERED, team_id=team_id, kinds=kinds, person_id=person_id
        )
        scores = health.for_relationships(
            session,
            relationship_ids=[r for r, _, _ in risky],
            now=now,
            policy=health.Policy(
                risk=risk.Policy(silent_weeks=services.settings.mentorbot_silent_weeks)
            ),
        )
        risky = sorted(
            risky, key=lambda r: (scores[r[0]].score if r[0] in scores else 101, r[2], r[0])
        )[:AT_RISK_SHOWN]
        members = queries.members_of(session, relationship_ids=[r for r, _, _ in risky])
        average, answers, lowest = queries.pulse_summary(session, team_id=team_id, since=since)
        low_members = queries.members_of(session, relationship_ids=[r for r, _ in lowest])
        return Status(
            filters=filters,
            active=queries.active_by_kind(
                session, team_id=team_id, kinds=kinds, person_id=person_id
            ),
            waiting=len(waiting),
            oldest_wait_days=max(ages) if ages else None,
            median_wait_days=statistics.median(ages) if ages else None,
            median_match_days=statistics.median(matches) / 24 if matches else None,
            queue=tuple(
                Waiting(
                    request_id=w.request_id,
                    requester=w.requester,
                    kind=w.kind,
                    waited=age,
                    status=w.status,
                    asked=asked[w.request_id][0] if w.request_id in asked else None,
                    escalated_at=w.escalated_at,
                )
                for w, age in list(zip(waiting, ages, strict=True))[:QUEUE_SHOWN]
            ),
            volunteers=volunteers,
            places=places,
            places_used=used,
            completion_30=queries.checkpoint_outcomes(
                session,
                start=now - timedelta(days=30),
                end=now,
                team_id=team_id,
                kinds=kinds,
                person_id=person_id,
            ),
            completion_90=queries.checkpoint_outcomes(
                session,
                start=now - timedelta(days=90),
                end=now,
                team_id=team_id,
                kinds=kinds,
                person_id=person_id,
            ),
            at_risk=tuple(
                AtRisk(
                    relationship_id=r,
                    people=tuple(members.get(r, [])),
                    reasons=tuple(RISK_LABELS.get(code, code) for code in codes.split(",") if code),
                    since=moment,
                    health=scores[r].score if r in scores else None,
                    health_reasons=scores[r].top_reasons(2) if r in scores else (),
                )
                for r, codes, moment in risky
            ),
            appreciation=queries.appreciation_count(session, team_id=team_id, since=since),
            closed=queries.closed_by_reason(
                session, since=since, team_id=team_id, kinds=kinds, person_id=person_id
            ),
            pulse_average=average,
            pulse_answers=answers,
            pulse_lowest=tuple((tuple(low_members.get(r, [])), a) for r, a in lowest),
        )
