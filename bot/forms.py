"""What people submit in modals, validated before anything is stored.

Table models skip validation, so every modal's answers pass through one of these first; a
`FormErrors` maps each bad field to a short, friendly message the modal shows inline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from bot.text import clean_input
from bot.triage import Driver, Format, GoalScope

NEED_MAX = 2000
SUMMARY_MAX = 150
TOPICS_MAX = 1000
AVAILABILITY_MAX = 300
REASON_MAX = 300
CAPACITY_MAX = 10
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
E = TypeVar("E", bound=StrEnum)


class TimeCommitment(StrEnum):
    HALF_HOUR_FORTNIGHT = "30m_fortnight"
    HOUR_FORTNIGHT = "1h_fortnight"
    HOUR_WEEK = "1h_week"
    TWO_HOURS_WEEK = "2h_week"


TIME_LABELS = {
    TimeCommitment.HALF_HOUR_FORTNIGHT: "30 minutes every two weeks",
    TimeCommitment.HOUR_FORTNIGHT: "An hour every two weeks",
    TimeCommitment.HOUR_WEEK: "An hour a week",
    TimeCommitment.TWO_HOURS_WEEK: "Two hours or more a week",
}


class Style(StrEnum):
    TEACHER = "teacher"
    GUIDE = "guide"


class FormErrors(Exception):
    """Field name -> message; raised when a submission cannot be stored as it is."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class RequestForm:
    need: str
    drivers: frozenset[Driver]
    goal_scope: GoalScope
    format: Format
    time_commitment: TimeCommitment
    manager: str
    summary: str = ""


@dataclass(frozen=True)
class OfferForm:
    as_mentor: bool
    as_coach: bool
    topics: str
    style: Style
    formats: frozenset[Format]
    capacity: int
    availability: str = ""


@dataclass
class _Check:
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, raw: str | None, *, required: bool, limit: int, label: str) -> str:
        value = clean_input(raw or "")
        if required and not value:
            self.errors[name] = f"Please tell us {label}."
        elif len(value) > limit:
            self.errors[name] = f"Please keep this under {limit} characters (it has {len(value)})."
        return value

    def choice(self, name: str, raw: str | None, enum: type[E], label: str) -> E | None:
        try:
            return enum(raw or "")
        except ValueError:
            self.errors[name] = f"Please choose {label}."
            return None

    def done(self) -> None:
        if self.errors:
            raise FormErrors(self.errors)


def parse_request(
    *,
    requester: str,
    need: str | None,
    drivers: list[str],
    goal_scope: str | None,
    format: str | None,
    time_commitment: str | None,
    manager: str | None,
    summary: str | None,
) -> RequestForm:
    check = _Check()
    need_text = check.text(
        "need", need, required=True, limit=NEED_MAX, label="what you want to develop"
    )
    summary_text = check.text("summary", summary, required=False, limit=SUMMARY_MAX, label="")
    scope = check.choice("goal_scope", goal_scope, GoalScope, "what kind of goal this is")
    chosen_format = check.choice("format", format, Format, "a format")
    time = check.choice("time_commitment", time_commitment, TimeCommitment, "how much time")
    picked: set[Driver] = set()
    for raw in drivers:
        try:
            picked.add(Driver(raw))
        except ValueError:
            check.errors["drivers"] = "Please pick from the listed reasons."
    if not manager or not _USER_ID.match(manager):
        check.errors["manager"] = "Please pick your manager (it keeps mentors out of your line)."
    elif manager == requester:
        check.errors["manager"] = "You can't be your own manager here: please pick your manager."
    check.done()
    assert scope is not None and chosen_format is not None and time is not None
    assert manager is not None
    return RequestForm(
        need=need_text,
        drivers=frozenset(picked),
        goal_scope=scope,
        format=chosen_format,
        time_commitment=time,
        manager=manager,
        summary=summary_text,
    )


def parse_offer(
    *,
    roles: list[str],
    topics: str | None,
    style: str | None,
    formats: list[str],
    capacity: str | None,
    availability: str | None,
) -> OfferForm:
    check = _Check()
    if not set(roles) & {"mentor", "coach"} or not set(roles) <= {"mentor", "coach"}:
        check.errors["roles"] = "Please choose mentor, coach, or both."
    topic_text = check.text(
        "topics", topics, required=True, limit=TOPICS_MAX, label="what you can help with"
    )
    chosen_style = check.choice("style", style, Style, "a style")
    chosen_formats: set[Format] = set()
    for raw in formats:
        try:
            chosen_formats.add(Format(raw))
        except ValueError:
            check.errors["formats"] = "Please pick from the listed formats."
    if not formats:
        check.errors["formats"] = "Please pick at least one format."
    try:
        places = int((capacity or "").strip())
    except ValueError:
        places = 0
    if not 1 <= places <= CAPACITY_MAX:
        check.errors["capacity"] = f"Please enter a number of people from 1 to {CAPACITY_MAX}."
    availability_text = check.text(
        "availability", availability, required=False, limit=AVAILABILITY_MAX, label=""
    )
    check.done()
    assert chosen_style is not None
    return OfferForm(
        as_mentor="mentor" in roles,
        as_coach="coach" in roles,
        topics=topic_text,
        style=chosen_style,
        formats=frozenset(chosen_formats),
        capacity=places,
        availability=availability_text,
    )


def parse_reason(raw: str | None) -> str:
    check = _Check()
    reason = check.text("reason", raw, required=False, limit=REASON_MAX, label="")
    check.done()
    return reason
