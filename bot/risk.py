"""Spotting relationships whose commitment is fading, with reasons a coordinator can act on.

`assess` looks at the facts of one mentoring or coaching relationship (its checkpoints, the
latest answer each person gave at each of them, and when anyone last responded) and returns
why it is at risk, or nothing when it is not. Each reason is one short sentence for
coordinators; it may mention people as <@U…> but is built only from fixed wording, counts and
Slack ids, so no private note can ever reach it (the facts do not even carry notes).

`fingerprint` turns a set of reasons into a short stable string, so a caller can post an alert
once per distinct set of reasons and again only when that set changes.

`bot.health` grades every relationship from 0 to 100 on the same facts and calls `assess`, so
the two never disagree: an at-risk relationship always scores in the "poor" band.

Pure and deterministic: no I/O, no clock (the caller passes `now`), and the input order of
checkpoints and answers never changes the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SCHEDULED = "scheduled"
DONE = "done"
MISSED = "missed"
CANCELLED = "cancelled"
STATUSES = (SCHEDULED, DONE, MISSED, CANCELLED)

ON_TRACK = "on_track"
BEHIND = "behind"
BLOCKED = "blocked"
ANSWERS = (ON_TRACK, BEHIND, BLOCKED)

MISSED_IN_A_ROW = "missed_in_a_row"
SILENT = "silent"
BLOCKED_CODE = "blocked"
BEHIND_IN_A_ROW = "behind_in_a_row"
NOTHING_AHEAD = "nothing_ahead"
REASON_CODES = (MISSED_IN_A_ROW, SILENT, BLOCKED_CODE, BEHIND_IN_A_ROW, NOTHING_AHEAD)
"""Every reason code, in the order `assess` returns them."""

TEXT_LIMIT = 200
"""Every reason text is a single line shorter than this."""

MAX_NAMED = 3
"""At most this many people are mentioned in one reason; the rest are counted."""

_WEEK = timedelta(weeks=1)
_SLACK_ID = re.compile(r"[UW][A-Z0-9]{1,20}")


@dataclass(frozen=True)
class CheckpointFacts:
    due_at: datetime
    """Aware UTC."""
    status: str
    """scheduled | done | missed | cancelled; any other value is ignored like a cancelled one."""
    answers: tuple[tuple[str, str], ...] = ()
    """(slack_user_id, "on_track" | "behind" | "blocked"), latest per person. Should a person
    appear twice, their last pair wins; answers with any other value count as no concern."""

    def __post_init__(self) -> None:
        _require_aware("due_at", self.due_at)


@dataclass(frozen=True)
class Facts:
    now: datetime
    """Aware UTC."""
    started_at: datetime
    checkpoints: tuple[CheckpointFacts, ...]
    """In any order."""
    last_response_at: datetime | None
    """The last time anyone in the relationship clicked or answered anything."""
    members: tuple[str, ...]
    """Slack ids; people are named in this order (anyone else after them, by id)."""

    def __post_init__(self) -> None:
        _require_aware("now", self.now)
        _require_aware("started_at", self.started_at)
        if self.last_response_at is not None:
            _require_aware("last_response_at", self.last_response_at)


@dataclass(frozen=True)
class Policy:
    missed_in_a_row: int = 2
    silent_weeks: int = 3
    behind_in_a_row: int = 2

    def __post_init__(self) -> None:
        for name in ("missed_in_a_row", "silent_weeks", "behind_in_a_row"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Policy.{name} must be a whole number of at least 1")


@dataclass(frozen=True)
class Reason:
    code: str
    """One of REASON_CODES."""
    text: str
    """One short, friendly sentence for coordinators; never any note text."""


def assess(facts: Facts, policy: Policy = Policy()) -> tuple[Reason, ...]:
    """Why the relationship is at risk; empty when it is not. Pure and deterministic.

    - missed_in_a_row: the most recent `missed_in_a_row` past checkpoints (due_at <= now,
      ignoring cancelled and still-scheduled ones) are all missed.
    - silent: no response from anyone for `silent_weeks` weeks (measured from last_response_at,
      or from started_at when there was never any), but only once the relationship is at least
      that old.
    - blocked: in the most recent assessed checkpoint, someone answered blocked.
    - behind_in_a_row: the same person answered behind (or blocked) in each of the last
      `behind_in_a_row` assessed checkpoints.
    - nothing_ahead: no scheduled checkpoint after now, while the relationship has had at least
      one checkpoint (so it is not a brand-new one still contracting).

    An assessed checkpoint is a past, not cancelled one that is done or has any answer; a missed
    one with no answer is not assessed, so it neither continues nor breaks a run of behinds.
    Reasons come in the order of REASON_CODES, each code at most once.
    """
    known = sorted((c for c in facts.checkpoints if c.status in STATUSES), key=_order)
    past = [c for c in known if c.due_at <= facts.now and c.status != CANCELLED]
    order = _naming_order(facts.members)
    assessed = [dict(c.answers) for c in past if _assessed(c)]
    reasons = (
        _missed_in_a_row(past, policy.missed_in_a_row),
        _silent(facts, policy.silent_weeks),
        _blocked(assessed, order),
        _behind_in_a_row(assessed, policy.behind_in_a_row, order),
        _nothing_ahead(known, facts.now),
    )
    return tuple(r for r in reasons if r is not None)


def fingerprint(reasons: Sequence[Reason]) -> str:
    """The distinct reason codes, sorted and joined by ",": "" when there are none."""
    return ",".join(sorted({r.code for r in reasons}))


def _missed_in_a_row(past: list[CheckpointFacts], needed: int) -> Reason | None:
    settled = [c for c in past if c.status in (DONE, MISSED)]
    recent = settled[-needed:]
    if len(recent) < needed or any(c.status != MISSED for c in recent):
        return None
    if needed == 1:
        return Reason(MISSED_IN_A_ROW, "The last checkpoint passed without anyone assessing it.")
    return Reason(
        MISSED_IN_A_ROW,
        f"The last {needed} checkpoints in a row passed without anyone assessing them.",
    )


def _silent(facts: Facts, weeks: int) -> Reason | None:
    # Whole weeks by floor division: never overflows, however large the policy.
    age = (facts.now - facts.started_at) // _WEEK
    since = facts.last_response_at or facts.started_at
    quiet = (facts.now - since) // _WEEK
    if age < weeks or quiet < weeks:
        return None
    if facts.last_response_at is None:
        text = f"Nobody has responded since the relationship started {_weeks(quiet)} ago."
    else:
        text = f"Nobody in the relationship has responded for {_weeks(quiet)}."
    return Reason(SILENT, text)


def _blocked(assessed: list[dict[str, str]], order: dict[str, int]) -> Reason | None:
    if not assessed:
        return None
    stuck = [who for who, answer in assessed[-1].items() if answer == BLOCKED]
    if not stuck:
        return None
    return Reason(
        BLOCKED_CODE, f"{_people(stuck, order)} reported being blocked at the last checkpoint."
    )


def _behind_in_a_row(
    assessed: list[dict[str, str]], needed: int, order: dict[str, int]
) -> Reason | None:
    recent = assessed[-needed:]
    if len(recent) < needed:
        return None
    lagging = _lagging(recent[0])
    for answers in recent[1:]:
        lagging &= _lagging(answers)
    if not lagging:
        return None
    when = "the last checkpoint" if needed == 1 else f"each of the last {needed} checkpoints"
    return Reason(
        BEHIND_IN_A_ROW, f"{_people(lagging, order)} reported being behind or blocked at {when}."
    )


def _lagging(answers: dict[str, str]) -> set[str]:
    return {who for who, answer in answers.items() if answer in (BEHIND, BLOCKED)}


def _nothing_ahead(known: list[CheckpointFacts], now: datetime) -> Reason | None:
    if not known or any(c.status == SCHEDULED and c.due_at > now for c in known):
        return None
    return Reason(NOTHING_AHEAD, "No further checkpoints are scheduled.")


def _assessed(checkpoint: CheckpointFacts) -> bool:
    return checkpoint.status == DONE or bool(checkpoint.answers)


def _order(checkpoint: CheckpointFacts) -> tuple[datetime, int, tuple[tuple[str, str], ...]]:
    """Oldest first; ties broken by status and answers so the input order never matters."""
    return checkpoint.due_at, STATUSES.index(checkpoint.status), tuple(sorted(checkpoint.answers))


def _naming_order(members: tuple[str, ...]) -> dict[str, int]:
    order: dict[str, int] = {}
    for member in members:
        order.setdefault(member, len(order))
    return order


def _people(ids: Iterable[str], order: dict[str, int]) -> str:
    """Who, for the start of a sentence: <@U1> / <@U1> and <@U2> / <@U1>, <@U2> and 2 others.

    Ids not shaped like Slack ids are counted ("Someone", "2 people") but never written out.
    """
    ranked = sorted(set(ids), key=lambda i: (order.get(i, len(order)), i))
    named = [f"<@{i}>" for i in ranked if _SLACK_ID.fullmatch(i)][:MAX_NAMED]
    others = len(ranked) - len(named)
    if not named:
        return "Someone" if others == 1 else f"{others} people"
    if others:
        return f"{', '.join(named)} and {others} {'other' if others == 1 else 'others'}"
    if len(named) == 1:
        return named[0]
    return f"{', '.join(named[:-1])} and {named[-1]}"


def _weeks(count: int) -> str:
    return "1 week" if count == 1 else f"{count} weeks"


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
