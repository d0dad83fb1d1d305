"""The nudge budget: which of the bot's DMs a person gets now, merged, later, or not at all.

Pure functions only: `decide` is given what was already sent to one person and what is waiting
for them, and returns a verdict per waiting message. bot/dm_gate.py feeds it from the database
and records what it lets through, so every bot-initiated DM passes this one rule.

The rule, for one person:
- **Window.** A rolling 7 days: at any moment, the DMs the bot sent (or reserved to send) to the
  person in the 7 days before it count. Nobody gets more than `budget` of them in any such
  window (MENTORBOT_DM_BUDGET, default 3), across all their relationships. Replies to the
  person's own command or click (ephemerals, modal updates, responses) are not DMs of this kind
  and never count.
- **Priorities.** HIGH: someone is waiting on it or it carries another person's words
  (an invitation to a volunteer, an update on your own request, a thank-you, a reflection or
  report shared with you, a relationship ended, how to resume after the bot stopped nudging).
  ROUTINE: the clock's checkpoint nudges (reminder, how did it go, the missed follow-up, the
  periodic report request). LOW: pulse surveys.
- **Headroom.** ROUTINE and LOW messages never use the last place in the window (when the
  budget is 2 or more), so a HIGH message is rarely kept waiting by reminders.
- **Merging.** All ROUTINE and LOW messages that fall due for a person at the same time go as
  one digest DM (one place in the window), each item with its own buttons.
- **When the window is full.** HIGH is deferred, never dropped: it goes when the oldest DM in
  the window turns 7 days old. ROUTINE is deferred to that moment if it is still useful then,
  and dropped otherwise. LOW is dropped.
- **Pause** (`/mentoring pause`): ROUTINE and LOW are dropped; HIGH waits for the pause to end.
- **Stopped** (the person ignored the last N nudges): ROUTINE and LOW are dropped until they
  click anything or type `/mentoring resume`; HIGH still goes.
- **Mute** (`/mentoring mute`): only the essential ROUTINE messages (how did it go, the report
  request) go; other ROUTINE and LOW ones are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

WINDOW = timedelta(days=7)


class Priority(IntEnum):
    LOW = 0
    ROUTINE = 1
    HIGH = 2


# Every kind of bot-initiated DM, with its priority. A new kind must be added here (the gate
# refuses unknown kinds), which is where its place in the rule above is decided.
PRIORITIES: dict[str, Priority] = {
    "pulse": Priority.LOW,
    "before": Priority.ROUTINE,
    "assess": Priority.ROUTINE,
    "missed": Priority.ROUTINE,
    "report_due": Priority.ROUTINE,
    "invitation": Priority.HIGH,
    "request_update": Priority.HIGH,
    "request_waiting": Priority.HIGH,
    "thanks": Priority.HIGH,
    "shared_reflection": Priority.HIGH,
    "mentor_report": Priority.HIGH,
    "relationship_ended": Priority.HIGH,
    "nudges_stopped": Priority.HIGH,
}
ESSENTIAL = frozenset({"assess", "report_due"})
# Nudges with buttons that expect an answer: ignoring N of them in a row stops the nudging.
NEEDS_ANSWER = frozenset({"pulse", "before", "assess", "missed", "report_due"})


def priority_of(kind: str) -> Priority:
    try:
        return PRIORITIES[kind]
    except KeyError:
        raise ValueError(f"unknown DM kind {kind!r}: add it to dm_budget.PRIORITIES") from None


@dataclass(frozen=True)
class Candidate:
    """A DM waiting to go to the person. `useful_until` None means it never goes stale."""

    key: int
    kind: str
    useful_until: datetime | None = None

    @property
    def priority(self) -> Priority:
        return priority_of(self.kind)


@dataclass(frozen=True)
class PersonState:
    budget: int
    muted: bool = False
    paused_until: datetime | None = None
    stopped: bool = False


@dataclass(frozen=True)
class Verdict:
    """send: its own DM. digest: merged with the other digest verdicts into one DM.
    defer: try again at `until`. drop: never sent, for `reason`."""

    key: int
    action: str  # send | digest | defer | drop
    until: datetime | None = None
    reason: str = ""


def used(sent: Sequence[datetime], now: datetime) -> list[datetime]:
    """The sends that count at `now`: those in the 7 days before it, oldest first."""
    return sorted(at for at in sent if now - WINDOW < at <= now)


def next_free(sent: Sequence[datetime], now: datetime, budget: int, *, keep: int = 0) -> datetime:
    """The first moment from `now` at which fewer than `budget - keep` sends count."""
    counting = used(sent, now)
    room = budget - keep
    if len(counting) < room:
        return now
    # The window has room again once all but room-1 of the counted sends have aged out.
    return counting[len(counting) - room] + WINDOW


def headroom(budget: int) -> int:
    """Places in the window that ROUTINE and LOW messages leave for HIGH ones (never all)."""
    return 1 if budget >= 2 else 0


def decide(
    state: PersonState, sent: Sequence[datetime], waiting: Sequence[Candidate], now: datetime
) -> list[Verdict]:
    """A verdict for every waiting message; never lets the window exceed `state.budget`."""
    verdicts: list[Verdict] = []
    window = used(sent, now)  # grows with each send decided here
    paused_until = state.paused_until if state.paused_until and state.paused_until > now else None
    for candidate in (c for c in waiting if c.priority == Priority.HIGH):
        if paused_until is not None:
            verdicts.append(Verdict(candidate.key, "defer", paused_until, "paused"))
        elif len(window) < state.budget:
            verdicts.append(Verdict(candidate.key, "send"))
            window.append(now)
        else:
            until = next_free(window, now, state.budget)
            verdicts.append(Verdict(candidate.key, "defer", until, "weekly DM budget spent"))
    wanted: list[Candidate] = []
    for candidate in (c for c in waiting if c.priority != Priority.HIGH):
        if paused_until is not None:
            verdicts.append(Verdict(candidate.key, "drop", reason="paused"))
        elif state.stopped:
            verdicts.append(Verdict(candidate.key, "drop", reason="stopped: nudges ignored"))
        elif state.muted and candidate.kind not in ESSENTIAL:
            verdicts.append(Verdict(candidate.key, "drop", reason="muted"))
        else:
            wanted.append(candidate)
    if not wanted:
        return verdicts
    keep = headroom(state.budget)
    if len(window) < state.budget - keep:
        action = "send" if len(wanted) == 1 else "digest"
        return verdicts + [Verdict(c.key, action) for c in wanted]
    until = next_free(window, now, state.budget, keep=keep)
    for candidate in wanted:
        stale = candidate.useful_until is not None and candidate.useful_until <= until
        if candidate.priority == Priority.LOW or stale:
            verdicts.append(Verdict(candidate.key, "drop", reason="weekly DM budget spent"))
        else:
            verdicts.append(Verdict(candidate.key, "defer", until, "weekly DM budget spent"))
    return verdicts


def ignored_in_a_row(answered: Sequence[bool], limit: int) -> bool:
    """True when the last `limit` nudges that asked for an answer (newest first) all got none."""
    return limit > 0 and len(answered) >= limit and not any(answered[:limit])
