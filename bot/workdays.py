"""Working days and hours in a person's own time zone: weekends are not working days."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SATURDAY = 5


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
