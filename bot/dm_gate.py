"""The one gate every DM the bot starts goes through (the rule is bot/dm_budget.py).

Two doors, one rule and one record:
- `admit` for a DM sent at once by a listener (an invitation, an update on a request, a
  thank-you…): it returns a ticket to send now, or queues the rendered message in the nudge
  outbox for the clock to send when the person's window has room (or their pause ends).
- `bot.nudge_send.send_due` for the clock's messages, which decides for all the nudges due for one
  person at once (so several can be merged into one digest DM).
Both lock the person's row, count the `bot_dms` rows of the last 7 days and write a row for
every DM they let through, in the same transaction: the count is exact across processes and
restarts.

A new kind of bot-initiated DM: add it to `dm_budget.PRIORITIES`, then send it with
`handlers.announce.dm(..., kind=...)` (or plan it as a nudge row for the clock). Replies to the
person's own command or click are not gated: use `announce.reply_dm` for those.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import dm_budget
from bot.errors import DomainError
from bot.services import Services
from bot.workdays import working_moment, zone
from storage import bot_dms, nudges, people

PAUSE_DEFAULT_WEEKS = 2
PAUSE_MAX_WEEKS = 12


@dataclass(frozen=True)
class Ticket:
    """Leave to send one DM now; `dm_id` is its row in the record."""

    dm_id: int


def state_of(services: Services, person: Any) -> dm_budget.PersonState:
    return dm_budget.PersonState(
        budget=services.settings.mentorbot_dm_budget,
        muted=bool(person.nudges_muted),
        paused_until=person.paused_until,
        stopped=person.nudges_stopped_at is not None,
    )


def admit(
    services: Services,
    *,
    team_id: str,
    slack_user_id: str,
    kind: str,
    text: str,
    blocks: list[dict[str, Any]],
    extra: dict[str, Any] | None = None,
) -> Ticket | None:
    """May this DM go now? A ticket means yes (it is already counted: call `withdraw` if Slack
    refuses it). None means it was queued for the clock (`extra` travels with it, e.g. the
    invitation it belongs to) or, for a low-priority kind, dropped."""
    priority = dm_budget.priority_of(kind)
    now = services.now()
    with services.database.transaction() as session:
        # Their row, left as it is (they did not contact us); made only for a stranger.
        seen = people.by_slack_id(
            session, team_id=team_id, slack_user_id=slack_user_id
        ) or people.seen(session, team_id=team_id, slack_user_id=slack_user_id, at=now)
        assert seen.id is not None
        person = bot_dms.lock_person(session, person_id=seen.id) or seen
        sent = bot_dms.sent_since(session, person_id=seen.id, since=now - dm_budget.WINDOW)
        (verdict,) = dm_budget.decide(
            state_of(services, person), sent, [dm_budget.Candidate(0, kind)], now
        )
        if verdict.action in ("send", "digest"):
            return Ticket(
                bot_dms.reserve(
                    session,
                    team_id=team_id,
                    person_id=seen.id,
                    kind=kind,
                    priority=int(priority),
                    at=now,
                    needs_answer=kind in dm_budget.NEEDS_ANSWER,
                )
            )
        if verdict.action == "defer" and verdict.until is not None:
            tz = zone(person.tz, services.settings.mentorbot_default_timezone)
            until = working_moment(verdict.until, tz, hour=services.settings.mentorbot_nudge_hour)
            nudges.plan(
                session,
                {
                    "team_id": team_id,
                    "person_id": seen.id,
                    "kind": kind,
                    "send_at": until,
                    "reasons": verdict.reason,
                    "payload": {"text": text, "blocks": blocks, **(extra or {})},
                    "dedupe_key": f"{kind}:{seen.id}:{uuid.uuid4().hex}",
                },
            )
    return None


def withdraw(services: Services, ticket: Ticket) -> None:
    """Slack did not take the DM: it does not count."""
    with services.database.transaction() as session:
        bot_dms.cancel(session, dm_id=ticket.dm_id)


def heard_from(services: Services, *, team_id: str, user_id: str) -> bool:
    """The person clicked, submitted or typed something: their nudges count as answered and,
    if the bot had stopped nudging them, it starts again. True when they had been stopped."""
    with services.database.transaction() as session:
        return bot_dms.heard_from(
            session, team_id=team_id, slack_user_id=user_id, at=services.now()
        )


class BadPause(DomainError):
    """The number of weeks given to `/mentoring pause` is not one we accept."""


def parse_weeks(args: str) -> int:
    text = args.strip().lower().removesuffix("weeks").removesuffix("week").strip()
    if not text:
        return PAUSE_DEFAULT_WEEKS
    if not text.isdigit() or not 1 <= int(text) <= PAUSE_MAX_WEEKS:
        raise BadPause(
            f"Please give a whole number of weeks from 1 to {PAUSE_MAX_WEEKS}, "
            f"e.g. `/mentoring pause {PAUSE_DEFAULT_WEEKS}`."
        )
    return int(text)


def pause(services: Services, *, team_id: str, user_id: str, weeks: int) -> datetime:
    """No DMs the bot starts for `weeks` weeks: nudges and surveys are dropped meanwhile, and
    messages someone is waiting on wait for the pause to end."""
    until = services.now() + timedelta(weeks=weeks)
    with services.database.transaction() as session:
        person = people.seen(session, team_id=team_id, slack_user_id=user_id, at=services.now())
        bot_dms.set_pause(session, person, until=until)
    return until


def resume(services: Services, *, team_id: str, user_id: str) -> bool:
    """End a pause, and the stop after ignored nudges. True when either was on."""
    now = services.now()
    with services.database.transaction() as session:
        person = people.seen(session, team_id=team_id, slack_user_id=user_id, at=now)
        was = (person.paused_until is not None and person.paused_until > now) or (
            person.nudges_stopped_at is not None
        )
        bot_dms.set_pause(session, person, until=None)
        bot_dms.heard_from(session, team_id=team_id, slack_user_id=user_id, at=now)
    return was


@dataclass(frozen=True)
class Standing:
    """What `/mentoring me` and App Home show about the person's DMs."""

    budget: int
    used: int
    paused_until: datetime | None
    stopped: bool
    muted: bool
