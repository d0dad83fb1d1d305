"""Working days and hours in a person's own time zone: weekends are not working days."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SATURDAY = 5
WORKDAY_START = 9  # local hour, inclusive
WORKDAY_END = 17  # local hour, exclusive


def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    for candidate in (name, default, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def add_working_days(start: datetime, days: int, tz: ZoneInfo) -> datetime:
    """`start` moved forward by `days` working days at the same local time (DST-aware).

    Starting on a weekend counts from the next Monday, so a request sent on Saturday still gets
    three full working days."""
    local = start.astimezone(tz)
    while local.weekday() >= SATURDAY:
        local = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    remaining = days
    while remaining > 0:
        local = local + timedelta(days=1)
        if local.weekday() < SATURDAY:
            remaining -= 1
    naive = local.replace(tzinfo=None)
    return naive.replace(tzinfo=tz).astimezone(start.tzinfo)


def working_moment(moment: datetime, tz: ZoneInfo, *, hour: int = 9) -> datetime:
    """`moment` if it falls in working hours (9 to 17, Monday to Friday, local), else the next
    working morning at `hour`."""
    local = moment.astimezone(tz)
    if local.weekday() < 5 and WORKDAY_START <= local.hour < WORKDAY_END:
        return moment
    day = local.date() if local.hour < WORKDAY_START else local.date() + timedelta(1)
    morning = datetime.combine(day, time(hour), tzinfo=tz)
    while morning.weekday() >= 5:
        morning += timedelta(days=1)
    return morning.astimezone(moment.tzinfo)


def working_days_between(start: datetime, end: datetime, tz: ZoneInfo) -> int:
    """Whole working days from `start` to `end`: the largest n with
    add_working_days(start, n, tz) <= end (0 when `end` is not after `start`).

    Counted, not stepped, so a request two years old costs the same as one a day old."""
    if end <= start:
        return 0
    local = start.astimezone(tz)
    while local.weekday() >= SATURDAY:  # as add_working_days: a weekend counts from Monday 9:00
        local = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    first, last = local.date(), end.astimezone(tz).date()
    if last <= first:
        return 0
    weeks, rest = divmod((last - first).days, 7)
    days = 5 * weeks + sum(1 for i in range(1, rest + 1) if (first.weekday() + i) % 7 < SATURDAY)
    if days == 0:
        return 0
    # The days-th working day is the last weekday on or before `last`; only on that very date
    # can its time of day still be ahead of `end`.
    nth = last
    while nth.weekday() >= SATURDAY:
        nth -= timedelta(days=1)
    moment = datetime.combine(nth, local.time().replace(tzinfo=None)).replace(tzinfo=tz)
    return days - 1 if moment.astimezone(start.tzinfo) > end else days
