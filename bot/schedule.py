"""Checkpoints of a mentoring contract: when mentor and learner meet to assess progress.

A contract has a start and an end/review date, a meeting cadence, preferred weekdays and a
learning plan with due dates. Checkpoints fall on working days (Mon-Fri) in the learner's time
zone, at a time inside working hours for as many participants as possible, and are DST-correct
because every local time is computed from the zone's rules for that very date. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.workdays import SATURDAY, WORKDAY_END, WORKDAY_START, zone

__all__ = [
    "WORKDAY_END",
    "WORKDAY_START",
    "Rhythm",
    "Slot",
    "checkpoints",
    "meeting_time",
    "next_working_day",
    "nudge_time",
]

PREFERRED_HOUR = 10  # learner-local hour from which a meeting time is preferred
MAX_SLOTS = 60
MAX_CADENCE_DAYS = 90
NEAR_DELIVERABLE_DAYS = 2  # a cadence checkpoint this close (calendar days) to a deliverable goes
TITLE_LIMIT = 80
WEEKDAYS = frozenset(range(SATURDAY))  # 0=Mon..4=Fri

_STEP = timedelta(minutes=30)
_DAY_START = WORKDAY_START * 60  # minutes after local midnight
_DAY_END = WORKDAY_END * 60
_TOO_MANY = (
    f"this rhythm gives more than {MAX_SLOTS} checkpoints: "
    "choose a longer cadence, fewer reviews or an earlier end date"
)


@dataclass(frozen=True)
class Rhythm:
    start: date  # first day checkpoints may fall on (inclusive)
    end: date  # review/end date (inclusive)
    cadence_days: int  # 1..90: one session every N days
    review_every: int = 2  # a checkpoint every Nth session (1 = every session)
    preferred_weekdays: frozenset[int] = frozenset()  # 0=Mon..4=Fri; empty = any weekday
    session_minutes: int = 60


@dataclass(frozen=True)
class Slot:
    at: datetime  # aware UTC
    reason: str  # "cadence" | "deliverable"
    label: str  # e.g. "Checkpoint 3" or "Deliverable due: <title>"


def meeting_time(day: date, zones: Sequence[str], minutes: int = 60) -> datetime:
    """Aware UTC start time on `day` (the FIRST zone's local date — the learner's) such that the
    meeting lies inside WORKDAY_START..WORKDAY_END local time for as many of `zones` as possible.

    Candidates are the whole and half hours of the learner's working day at which the learner's
    meeting fits. Among those fitting the most people, the earliest at/after 10:00 learner-local
    wins, else the earliest. So: the earliest at/after 10:00 fitting everyone, else the earliest
    fitting everyone, else the one fitting the most people (10:00 learner-local when tied).
    The others count as fitting only on one of their own weekdays; `day` itself is the caller's
    choice and is not checked. Unknown zone names count as UTC; no zones at all means UTC.
    Raises ValueError when `minutes` is not in 1..(working-day length)."""
    if not 1 <= minutes <= _DAY_END - _DAY_START:
        raise ValueError(f"a meeting must last 1..{_DAY_END - _DAY_START} minutes")
    names = [zones] if isinstance(zones, str) else zones  # a lone name is a Sequence[str] too
    tzs = [zone(name) for name in names] or [ZoneInfo("UTC")]
    learner, others = tzs[0], tzs[1:]
    length = timedelta(minutes=minutes)
    preferred_from = datetime.combine(day, time(PREFERRED_HOUR), learner).astimezone(UTC)

    best: tuple[int, ...] = ()
    chosen: datetime | None = None
    local = datetime.combine(day, time(WORKDAY_START))  # naive learner-local wall clock
    last = datetime.combine(day, time(WORKDAY_END)) - length
    while local <= last:
        begin = local.replace(tzinfo=learner).astimezone(UTC)
        local += _STEP
        if not _fits(begin, length, learner, day=day):
            continue
        score = 1 + sum(_fits(begin, length, tz) for tz in others)
        key = (score, begin >= preferred_from)
        if key > best:  # candidates ascend, so the first one with the best key is the earliest
            best, chosen = key, begin
    if chosen is None:  # only in a zone whose clock skips the learner's whole working day
        return preferred_from
    return chosen


def next_working_day(day: date, preferred: frozenset[int] = frozenset()) -> date:
    """`day` itself or the first later day that is Mon-Fri and (if given) a preferred weekday.

    Raises ValueError for a preferred weekday outside 0..4 (Mon..Fri)."""
    allowed = _allowed_weekdays(preferred)
    while day.weekday() not in allowed:
        day += timedelta(days=1)
    return day


def checkpoints(
    rhythm: Rhythm, zones: Sequence[str], deliverables: Sequence[tuple[str, date]] = ()
) -> list[Slot]:
    """Checkpoint slots from start to end, sorted by time (see the module's contract):

    - cadence: session k (k = 0, 1, …, counted as session k+1) on start + k*cadence, moved to
      next_working_day(…, preferred) and dropped if that passes `end`; a checkpoint at every
      `review_every`-th session (sessions 2, 4, … with review_every=2);
    - one per deliverable due date within [start, end]; a weekend due date moves back to the
      Friday, or forward to the Monday if the Friday is before start (dropped past end);
      deliverables due on the same date share one slot, titles joined with "; ";
    - a cadence checkpoint within 2 calendar days of a deliverable checkpoint is dropped, and
      cadence sessions moved onto the same date count once;
    - none left: one "Checkpoint 1" on the last working day on or before `end`;
    - ValueError when end < start, cadence_days not in 1..90, review_every < 1, a preferred
      weekday outside Mon..Fri, an invalid session length, more than 60 slots, or no working
      day at all in [start, end].
    Times come from meeting_time on the date, with the first zone as the learner's."""
    _validate(rhythm)
    due = _deliverable_days(rhythm, deliverables)
    cadence_limit = MAX_SLOTS + (2 * NEAR_DELIVERABLE_DAYS + 1) * len(due)
    cadence = [
        day
        for day in _cadence_days(rhythm, cadence_limit)
        if all(abs((day - other).days) > NEAR_DELIVERABLE_DAYS for other in due)
    ]
    if not cadence and not due:
        cadence = [_last_working_day(rhythm.start, rhythm.end)]
    if len(cadence) + len(due) > MAX_SLOTS:
        raise ValueError(_TOO_MANY)
    slots = [
        Slot(meeting_time(day, zones, rhythm.session_minutes), "cadence", f"Checkpoint {n}")
        for n, day in enumerate(cadence, start=1)
    ]
    slots += [
        Slot(meeting_time(day, zones, rhythm.session_minutes), "deliverable", _label(titles))
        for day, titles in due.items()
    ]
    return sorted(slots, key=lambda slot: slot.at)


def nudge_time(checkpoint_at: datetime, zone_name: str, *, hour: int = 9) -> datetime:
    """When to remind a person about a checkpoint: `hour`:00 local on the last working day
    strictly before the checkpoint's local date in that person's zone (never a weekend); if that
    moment is not before the checkpoint itself, 1 hour before the checkpoint instead. Aware UTC.

    Raises ValueError for a naive `checkpoint_at` or an hour outside 0..23. An unknown zone
    name counts as UTC."""
    if checkpoint_at.tzinfo is None or checkpoint_at.utcoffset() is None:
        raise ValueError("checkpoint_at must be timezone-aware")
    if not 0 <= hour <= 23:
        raise ValueError("hour must be 0..23")
    tz = zone(zone_name)
    checkpoint_at = checkpoint_at.astimezone(UTC)  # arithmetic on a zoned datetime is wall-clock
    day = checkpoint_at.astimezone(tz).date() - timedelta(days=1)
    while day.weekday() >= SATURDAY:
        day -= timedelta(days=1)
    nudge = datetime.combine(day, time(hour), tz).astimezone(UTC)
    if nudge < checkpoint_at:
        return nudge
    return checkpoint_at - timedelta(hours=1)


def _fits(begin: datetime, length: timedelta, tz: ZoneInfo, *, day: date | None = None) -> bool:
    """Whether a meeting from `begin` for `length` lies inside working hours in `tz`, on `day`
    there when given, else on one of that zone's weekdays."""
    start, finish = begin.astimezone(tz), (begin + length).astimezone(tz)
    if day is None and start.weekday() >= SATURDAY:
        return False
    if finish.date() != start.date() or (day is not None and start.date() != day):
        return False
    return (
        start.hour * 60 + start.minute >= _DAY_START
        and finish.hour * 60 + finish.minute <= _DAY_END
    )


def _allowed_weekdays(preferred: frozenset[int]) -> frozenset[int]:
    if not preferred <= WEEKDAYS:
        raise ValueError("preferred weekdays must be Monday..Friday (0..4)")
    return preferred or WEEKDAYS


def _validate(rhythm: Rhythm) -> None:
    if rhythm.end < rhythm.start:
        raise ValueError("the end date is before the start date")
    if not 1 <= rhythm.cadence_days <= MAX_CADENCE_DAYS:
        raise ValueError(f"the cadence must be 1..{MAX_CADENCE_DAYS} days")
    if rhythm.review_every < 1:
        raise ValueError("review_every must be at least 1")
    if not 1 <= rhythm.session_minutes <= _DAY_END - _DAY_START:
        raise ValueError(f"a session must last 1..{_DAY_END - _DAY_START} minutes")
    _allowed_weekdays(rhythm.preferred_weekdays)


def _cadence_days(rhythm: Rhythm, limit: int) -> list[date]:
    """Distinct dates of the checkpoint sessions, ascending; ValueError beyond `limit`."""
    allowed = _allowed_weekdays(rhythm.preferred_weekdays)
    first, last = rhythm.start.toordinal(), rhythm.end.toordinal()
    days: list[date] = []
    # session k (from 0) is session number k+1: a checkpoint when k+1 is a multiple of review_every
    k = rhythm.review_every - 1
    while (ordinal := first + k * rhythm.cadence_days) <= last:
        k += rhythm.review_every
        while ordinal <= last and date.fromordinal(ordinal).weekday() not in allowed:
            ordinal += 1
        if ordinal > last:
            break
        day = date.fromordinal(ordinal)
        if days and days[-1] == day:
            continue
        days.append(day)
        if len(days) > limit:
            raise ValueError(_TOO_MANY)
    return days


def _deliverable_days(
    rhythm: Rhythm, deliverables: Sequence[tuple[str, date]]
) -> dict[date, list[str]]:
    """Working-day date → titles (input order, duplicates once), ascending by date."""
    due: dict[date, list[str]] = {}
    for title, when in deliverables:
        if not rhythm.start <= when <= rhythm.end:
            continue
        day = when
        while day.weekday() >= SATURDAY:
            day -= timedelta(days=1)
        if day < rhythm.start:
            day = when
            while day.weekday() >= SATURDAY:
                day += timedelta(days=1)
            if day > rhythm.end:
                continue
        clean = " ".join(title.split()) or "untitled"
        titles = due.setdefault(day, [])
        if clean not in titles:
            titles.append(clean)
    return dict(sorted(due.items()))


def _last_working_day(start: date, end: date) -> date:
    day = end
    while day.weekday() >= SATURDAY:
        if day <= start:
            raise ValueError("there is no working day between the start and end dates")
        day -= timedelta(days=1)
    return day


def _label(titles: list[str]) -> str:
    title = "; ".join(titles)
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1].rstrip() + "…"
    return f"Deliverable due: {title}"
