"""A relationship's health: one 0-100 score with its explanation, from plain facts.

`score` is the one function that computes it. Pure and deterministic: no I/O, no clock (the
facts carry `now`), and the order of checkpoints, reflections or ratings never matters. Five
parts, each worth a fixed number of points:

- checkpoints (30): kept out of kept + missed, among checkpoints already due.
- assessments (20): of those, how many have at least one "how did it go?" answer.
- reflections (15): reflections written in the last 8 weeks, against one every 4 weeks of the
  relationship's age in that window.
- pulse (15): the average 1-5 pulse rating, 1 giving nothing and 5 everything.
- contact (20): full up to a week since anyone last responded, nothing at the at-risk silence
  limit, in a straight line between.

A part with nothing to go on yet (no checkpoint due, no rating, a relationship under two weeks
old for reflections) earns three quarters of its points, so a new relationship starts in the
middle of the "good" band rather than at either end.

How it relates to `bot.risk`: risk is the alarm, health is the gauge. `risk.assess` answers a
yes/no question with reasons, and a change from no to yes is what posts an alert to the
coordinator channel, once per episode. The health score grades every relationship, including
those drifting before any alarm. They never contradict each other, because `score` runs
`risk.assess` on the same facts: a relationship at risk scores at most `AT_RISK_CEILING`
(below the "fair" band), whatever its parts add up to, and its risk reasons come first in the
explanation. The opposite does not hold: a low score without an alarm is a relationship worth
a look, not yet an alert.

Every explanation line is fixed wording with counts and dates: no private text ever reaches it
(the facts do not carry any). Who sees a score decides what goes into it (`facts_from`, by the
rules of `bot.visibility`): the coordinators' score counts everything they may see, while each
member's own score on App Home leaves out what a partner may not see, so neither can learn a
partner's rating or private answer from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import risk, visibility
from storage import health as health_rows
from storage.health import HealthRow

CHECKPOINTS = "checkpoints"
ASSESSMENTS = "assessments"
REFLECTIONS = "reflections"
PULSE = "pulse"
CONTACT = "contact"
WEIGHTS = {CHECKPOINTS: 30, ASSESSMENTS: 20, REFLECTIONS: 15, PULSE: 15, CONTACT: 20}
NO_DATA = 0.75
AT_RISK_CEILING = 49
GOOD = 75
FAIR = 50

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Facts:
    risk: risk.Facts
    """The same facts the at-risk check reads: now, start, checkpoints with answers, last
    response, members."""
    reflections: tuple[datetime, ...] = ()
    """When reflections about this relationship were written (aware UTC)."""
    ratings: tuple[int, ...] = ()
    """Pulse ratings 1-5; anything else is ignored."""


@dataclass(frozen=True)
class Policy:
    risk: risk.Policy = field(default_factory=risk.Policy)
    reflection_window_weeks: int = 8
    reflection_every_weeks: int = 4

    def __post_init__(self) -> None:
        for name in ("reflection_window_weeks", "reflection_every_weeks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Policy.{name} must be a whole number of at least 1")


@dataclass(frozen=True)
class Part:
    code: str
    points: int
    out_of: int
    text: str
    """Counts and dates only."""

    @property
    def lost(self) -> int:
        return self.out_of - self.points


@dataclass(frozen=True)
class Health:
    score: int
    """0-100."""
    parts: tuple[Part, ...]
    at_risk: tuple[risk.Reason, ...]

    @property
    def band(self) -> str:
        """good (75+), fair (50-74) or poor (under 50)."""
        if self.score >= GOOD:
            return "good"
        return "fair" if self.score >= FAIR else "poor"

    def top_reasons(self, limit: int = 3) -> tuple[str, ...]:
        """What pulls the score down most: the parts that lost points, largest loss first
        (ties in a fixed order). A relationship losing nothing says so."""
        order = list(WEIGHTS)
        losing = sorted(
            (p for p in self.parts if p.lost > 0), key=lambda p: (-p.lost, order.index(p.code))
        )
        return tuple(p.text for p in losing[:limit]) or ("every part at full marks",)


def score(facts: Facts, policy: Policy = Policy()) -> Health:
    """The health of one relationship. Pure and deterministic; see the module docstring."""
    now = facts.risk.now
    known = [c for c in facts.risk.checkpoints if c.status in risk.STATUSES]
    settled = [c for c in known if c.due_at <= now and c.status in (risk.DONE, risk.MISSED)]
    parts = (
        _checkpoints(settled),
        _assessments(settled),
        _reflections(facts, policy),
        _pulse(facts.ratings),
        _contact(facts.risk, policy.risk),
    )
    total = sum(p.points for p in parts)
    alarms = risk.assess(facts.risk, policy.risk)
    if alarms:
        total = min(total, AT_RISK_CEILING)
    return Health(score=max(0, min(100, total)), parts=parts, at_risk=alarms)


def _points(code: str, fraction: float) -> int:
    return round(WEIGHTS[code] * max(0.0, min(1.0, fraction)))


def _checkpoints(settled: Sequence[risk.CheckpointFacts]) -> Part:
    kept = sum(1 for c in settled if c.status == risk.DONE)
    missed = len(settled) - kept
    if not settled:
        return Part(CHECKPOINTS, _points(CHECKPOINTS, NO_DATA), 30, "no checkpoint due yet")
    text = f"{kept} of {len(settled)} checkpoints kept"
    if missed:
        last = max(c.due_at for c in settled if c.status == risk.MISSED)
        text += f" ({missed} missed, the last on {last:%d %b})"
    return Part(CHECKPOINTS, _points(CHECKPOINTS, kept / len(settled)), 30, text)


def _assessments(settled: Sequence[risk.CheckpointFacts]) -> Part:
    if not settled:
        return Part(ASSESSMENTS, _points(ASSESSMENTS, NO_DATA), 20, "no checkpoint to assess yet")
    answered = sum(1 for c in settled if c.answers)
    return Part(
        ASSESSMENTS,
        _points(ASSESSMENTS, answered / len(settled)),
        20,
        f"“how did it go?” answered at {answered} of {len(settled)} checkpoints",
    )


def _reflections(facts: Facts, policy: Policy) -> Part:
    now = facts.risk.now
    window = timedelta(weeks=policy.reflection_window_weeks)
    age = now - facts.risk.started_at
    if age < timedelta(weeks=2):
        return Part(REFLECTIONS, _points(REFLECTIONS, NO_DATA), 15, "too early for reflections")
    recent = sum(1 for moment in facts.reflections if now - window <= moment <= now)
    weeks = min(age, window) / timedelta(weeks=1)
    expected = max(1.0, weeks / policy.reflection_every_weeks)
    plural = "reflection" if recent == 1 else "reflections"
    return Part(
        REFLECTIONS,
        _points(REFLECTIONS, recent / expected),
        15,
        f"{recent} {plural} in the last {policy.reflection_window_weeks} weeks",
    )


def _pulse(ratings: Sequence[int]) -> Part:
    valid = [r for r in ratings if not isinstance(r, bool) and r in (1, 2, 3, 4, 5)]
    if not valid:
        return Part(PULSE, _points(PULSE, NO_DATA), 15, "no pulse rating yet")
    average = sum(valid) / len(valid)
    plural = "rating" if len(valid) == 1 else "ratings"
    return Part(
        PULSE,
        _points(PULSE, (average - 1) / 4),
        15,
        f"pulse {average:.1f}/5 from {len(valid)} {plural}",
    )


def _contact(facts: risk.Facts, policy: risk.Policy) -> Part:
    since = facts.last_response_at or facts.started_at
    quiet = max(facts.now - since, timedelta(0))
    full, limit = timedelta(weeks=1), timedelta(weeks=policy.silent_weeks)
    fraction = 1.0 if quiet <= full else max(0.0, (limit - quiet) / max(limit - full, _DAY))
    days = quiet // _DAY
    when = "today" if days == 0 else ("1 day ago" if days == 1 else f"{days} days ago")
    what = "last response" if facts.last_response_at else "no response since the start,"
    return Part(CONTACT, _points(CONTACT, fraction), 20, f"{what} {when} ({since:%d %b})")


# -- from stored rows ------------------------------------------------------------------------

PULSE_WINDOW = timedelta(days=183)


def facts_from(row: HealthRow, *, now: datetime, viewer: int | None = None) -> Facts:
    """The facts of one stored row, keeping only what its audience may see (the rules of
    `bot.visibility`). Without `viewer` the audience is the coordinators. With `viewer` (a
    member's person id) it is that member: their own answers, ratings and reflections count,
    and other people's only where a partner may see them (a reflection shared with them; never
    another's pulse rating or "how did it go?" answer)."""
    audience = visibility.Audience.COORDINATORS if viewer is None else visibility.Audience.PARTNER

    def counts(author: int, key: str, *, shared: bool = False) -> bool:
        return author == viewer or visibility.may_see(audience, key, shared=shared)

    slack = dict(row.members)
    answers: dict[int, list[tuple[str, str]]] = {}
    for checkpoint_id, person_id, progress in row.answers:
        if counts(person_id, "progress"):
            answers.setdefault(checkpoint_id, []).append((slack.get(person_id, ""), progress))
    reflection_key = "reflection_count" if viewer is None else "reflections"
    return Facts(
        risk=risk.Facts(
            now=now,
            started_at=row.started_at,
            checkpoints=tuple(
                risk.CheckpointFacts(
                    due_at=due_at, status=status, answers=tuple(answers.get(checkpoint_id, ()))
                )
                for checkpoint_id, due_at, status in row.checkpoints
            ),
            last_response_at=row.last_response_at,
            members=tuple(user for _, user in row.members),
        ),
        reflections=tuple(
            written
            for author, written, shared in row.reflections
            if counts(author, reflection_key, shared=shared)
        ),
        ratings=tuple(rating for person, rating in row.ratings if counts(person, "pulse_rating")),
    )


def for_relationships(
    session: Session,
    *,
    relationship_ids: Sequence[int],
    now: datetime,
    policy: Policy,
    viewer: int | None = None,
) -> dict[int, Health]:
    """The health of each relationship, read in a few queries and scored one by one."""
    found = health_rows.rows(
        session,
        relationship_ids=relationship_ids,
        reflections_since=now - timedelta(weeks=policy.reflection_window_weeks),
        ratings_since=now - PULSE_WINDOW,
    )
    return {
        relationship_id: score(facts_from(row, now=now, viewer=viewer), policy)
        for relationship_id, row in found.items()
    }
