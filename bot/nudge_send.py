"""Sending due nudges exactly once: channel posts one by one, DMs through the nudge budget.

Every DM goes through the nudge budget (bot/dm_budget.py, bot/dm_gate.py): what is due for one
person is decided together, so it may go as one digest DM ("merged"), be deferred until the
person's 7-day window has room or their pause ends, or be dropped (muted, paused, stopped after
ignored nudges, or stale by the time there is room). The DM is recorded in `bot_dms` in the
transaction that claims its nudges, before it is posted; a retry after a crash reuses that record
(the nudges keep its `dm_id`), so the count stays exact.

Exactly once: each nudge row is unique by its dedupe key; a process claims a row with a
conditional UPDATE and a lease; it posts with the nudge id in Slack message metadata, then marks
the row sent. If it dies in between, the lease expires, and the next process first looks in the
conversation for a message carrying that id before posting again.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import dm_budget, dm_gate, nudge_messages, nudge_rules, visibility
from bot.ports import Delivered, NudgeMessage, NudgeSender, SendFailed
from bot.services import Services
from bot.workdays import working_moment, zone
from storage import bot_dms as dm_rows
from storage import invitations, nudges
from storage.models import Nudge, Person

MAX_ATTEMPTS = 8
BATCH = 200


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class SweepLine:
    """One nudge handled by a sweep, for the operator's printout."""

    nudge_id: int
    kind: str
    to: str
    outcome: str  # sent | skipped: <why> | retry: <why> | would send


def send_due(
    services: Services,
    sender: NudgeSender,
    *,
    now: datetime,
    worker: str,
    dry_run: bool = False,
    limit: int = BATCH,
) -> list[SweepLine]:
    """Send every nudge due at `now`. With dry_run, report what would be sent and change nothing.

    Channel posts go one by one. DMs go through the nudge budget person by person: everything
    due for one person is decided together (bot/dm_budget.py), so it may be merged into one
    digest DM, deferred or dropped."""
    with services.database.reading() as session:
        due = nudges.due_ids(session, now=now, limit=limit)
        owners = nudges.owners(session, nudge_ids=due)
    if dry_run:
        previews = (_preview(services, nudge_id, now) for nudge_id in due)
        return [line for line in previews if line is not None]
    lines: list[SweepLine] = []
    by_person: dict[int, list[int]] = {}
    for nudge_id in due:
        person_id = owners.get(nudge_id)
        if person_id is None:
            line = _send_one(services, sender, nudge_id, now=now, worker=worker)
            lines.extend([line] if line is not None else [])
        else:
            by_person.setdefault(person_id, []).append(nudge_id)
    for person_id, nudge_ids in by_person.items():
        lines.extend(_send_to_person(services, sender, person_id, nudge_ids, now, worker))
    return lines


@dataclass
class _Outgoing:
    """One DM to send: a nudge alone, or several merged; `dm_id` is its place in the record."""

    dm_id: int
    nudges: list[Nudge]
    message: NudgeMessage


def _send_to_person(
    services: Services,
    sender: NudgeSender,
    person_id: int,
    nudge_ids: list[int],
    now: datetime,
    worker: str,
) -> list[SweepLine]:
    lease = timedelta(seconds=services.settings.mentorbot_nudge_lease_seconds)
    lines: list[SweepLine] = []
    settled: list[tuple[Nudge, str]] = []
    outgoing: list[_Outgoing] = []
    with services.database.transaction() as session:
        person = dm_rows.lock_person(session, person_id=person_id)
        claimed = nudges.claim_many(
            session, nudge_ids=nudge_ids, worker=worker, now=now, until=now + lease
        )
        if person is None or not claimed:
            return []
        reserved: dict[int, list[Nudge]] = {}
        waiting: list[Nudge] = []
        for nudge in claimed:
            if nudge.dm_id is not None:  # an earlier attempt reserved its DM: reuse it
                reserved.setdefault(nudge.dm_id, []).append(nudge)
                continue
            problem = nudge_rules.why_not(services, session, nudge, now)
            later = None if problem else nudge_rules.postpone_until(services, session, nudge, now)
            if problem is not None:
                settled.append((nudge, problem))
            elif later is not None:
                nudges.release(
                    session,
                    nudge_id=nudge.id or 0,
                    worker=worker,
                    retry_at=later,
                    error="caught up outside working hours",
                )
                lines.append(
                    SweepLine(
                        nudge.id or 0,
                        nudge.kind,
                        person.slack_user_id,
                        f"later: {later:%Y-%m-%d %H:%M} UTC",
                    )
                )
            else:
                waiting.append(nudge)
        for dm_id, group in reserved.items():
            outgoing.append(_Outgoing(dm_id, group, nudge_messages.dm_message(session, group)))
        if waiting:
            _maybe_stop(services, session, person, waiting, now)
            outgoing.extend(
                _budget(services, session, person, waiting, now, worker, lines, settled)
            )
        for nudge, why in settled:
            nudges.finish(
                session, nudge_id=nudge.id or 0, worker=worker, status="skipped", at=now, error=why
            )
    lines.extend(
        SweepLine(nudge.id or 0, nudge.kind, person.slack_user_id, f"skipped: {why}")
        for nudge, why in settled
    )
    for dm in outgoing:
        lines.extend(_deliver(services, sender, dm, now, worker))
    return lines


def _budget(
    services: Services,
    session: Session,
    person: Person,
    waiting: list[Nudge],
    now: datetime,
    worker: str,
    lines: list[SweepLine],
    settled: list[tuple[Nudge, str]],
) -> list[_Outgoing]:
    """Apply the nudge budget to what is due for one person; reserve the DMs it lets through."""
    by_id = {nudge.id or 0: nudge for nudge in waiting}
    candidates = [
        dm_budget.Candidate(key, nudge.kind, nudge_rules.useful_until_of(session, nudge))
        for key, nudge in by_id.items()
    ]
    sent = dm_rows.sent_since(session, person_id=person.id or 0, since=now - dm_budget.WINDOW)
    verdicts = dm_budget.decide(dm_gate.state_of(services, person), sent, candidates, now)
    tz = zone(person.tz, services.settings.mentorbot_default_timezone)
    alone: list[Nudge] = []
    merged: list[Nudge] = []
    for verdict in verdicts:
        nudge = by_id[verdict.key]
        if verdict.action == "drop":
            settled.append((nudge, verdict.reason))
        elif verdict.action == "defer" and verdict.until is not None:
            # Later is always safe for the budget; a working morning is kinder than a Sunday.
            until = working_moment(verdict.until, tz, hour=services.settings.mentorbot_nudge_hour)
            nudges.release(
                session,
                nudge_id=verdict.key,
                worker=worker,
                retry_at=until,
                error=verdict.reason,
                counts_as_attempt=False,
            )
            lines.append(
                SweepLine(
                    verdict.key,
                    nudge.kind,
                    person.slack_user_id,
                    f"deferred: {verdict.reason} until {until:%Y-%m-%d %H:%M} UTC",
                )
            )
        elif verdict.action == "digest":
            merged.append(nudge)
        else:
            alone.append(nudge)
    groups = [[nudge] for nudge in alone] + ([merged] if merged else [])
    outgoing = []
    for group in groups:
        kind = group[0].kind if len(group) == 1 else nudge_messages.MERGED
        dm_id = dm_rows.reserve(
            session,
            team_id=person.team_id,
            person_id=person.id or 0,
            kind=kind,
            priority=int(max(dm_budget.priority_of(n.kind) for n in group)),
            at=now,
            needs_answer=any(n.kind in dm_budget.NEEDS_ANSWER for n in group),
            items=len(group),
        )
        nudges.attach_dm(session, nudge_ids=[n.id or 0 for n in group], dm_id=dm_id)
        outgoing.append(_Outgoing(dm_id, group, nudge_messages.dm_message(session, group)))
    return outgoing


def _maybe_stop(
    services: Services, session: Session, person: Person, waiting: list[Nudge], now: datetime
) -> None:
    """Someone who ignored the last N nudges is not nudged again until they answer something:
    the coordinators are told why (no private text), and the person once how to resume."""
    limit = services.settings.mentorbot_ignored_nudges
    routine = any(dm_budget.priority_of(n.kind) < dm_budget.Priority.HIGH for n in waiting)
    if person.nudges_stopped_at is not None or not routine or limit == 0:
        return
    answers = dm_rows.recent_answers(session, person_id=person.id or 0, limit=limit)
    if not dm_budget.ignored_in_a_row(answers, limit):
        return
    person.nudges_stopped_at = now
    session.add(person)
    stamp = f"{now:%Y%m%dT%H%M}"
    nudges.plan(
        session,
        {
            "team_id": person.team_id,
            "person_id": person.id,
            "kind": "nudges_stopped",
            "send_at": now,
            "reasons": str(limit),
            "dedupe_key": f"nudges_stopped:{person.id}:{stamp}",
        },
    )
    channel = services.settings.mentorbot_coordinator_channel
    if channel:
        visibility.place("nudges_ignored")
        nudges.plan(
            session,
            {
                "team_id": person.team_id,
                "channel": channel,
                "kind": "nudges_ignored",
                "send_at": now,
                "reasons": f"<@{person.slack_user_id}>\n{limit}",
                "dedupe_key": f"nudges_ignored:{person.id}:{stamp}",
            },
        )


def _deliver(
    services: Services, sender: NudgeSender, dm: _Outgoing, now: datetime, worker: str
) -> list[SweepLine]:
    """Post one DM (looking first for an earlier attempt's post) and settle its nudges."""
    message = dm.message
    to = nudge_messages.recipient(message)
    try:
        delivered = sender.already_sent(message) if message.attempts > 1 else None
        delivered = delivered or sender.send(message)
    except SendFailed as failure:
        with services.database.transaction() as session:
            if failure.transient and message.attempts < MAX_ATTEMPTS:
                retry_at = now + _backoff(services, message.attempts)
                for nudge in dm.nudges:
                    nudges.release(
                        session,
                        nudge_id=nudge.id or 0,
                        worker=worker,
                        retry_at=retry_at,
                        error=str(failure),
                    )
                return [SweepLine(n.id or 0, n.kind, to, f"retry: {failure}") for n in dm.nudges]
            dm_rows.cancel(session, dm_id=dm.dm_id)
            for nudge in dm.nudges:
                nudges.finish(
                    session,
                    nudge_id=nudge.id or 0,
                    worker=worker,
                    status="skipped",
                    at=now,
                    error=f"failed: {failure}",
                )
        return [SweepLine(n.id or 0, n.kind, to, f"skipped: failed: {failure}") for n in dm.nudges]
    with services.database.transaction() as session:
        for nudge in dm.nudges:
            nudges.finish(
                session,
                nudge_id=nudge.id or 0,
                worker=worker,
                status="sent",
                at=now,
                channel=delivered.channel,
                ts=delivered.ts,
            )
            _after_sent(session, nudge, delivered)
    outcome = "sent" if len(dm.nudges) == 1 else f"sent merged ({len(dm.nudges)} in one DM)"
    return [SweepLine(n.id or 0, n.kind, to, outcome) for n in dm.nudges]


def _after_sent(session: Session, nudge: Nudge, delivered: Delivered) -> None:
    """A deferred invitation remembers where its DM is, so its buttons can be retired later."""
    invitation_id = nudge.payload.get("invitation_id") if nudge.payload else None
    if isinstance(invitation_id, int):
        invitation = invitations.get(session, team_id=nudge.team_id, invitation_id=invitation_id)
        if invitation is not None:
            invitations.remember_message(
                session, invitation, channel=delivered.channel, ts=delivered.ts
            )


def _send_one(
    services: Services, sender: NudgeSender, nudge_id: int, *, now: datetime, worker: str
) -> SweepLine | None:
    """A post to a channel (the coordinators'): no budget, one at a time."""
    lease = timedelta(seconds=services.settings.mentorbot_nudge_lease_seconds)
    with services.database.transaction() as session:
        nudge = nudges.claim(session, nudge_id=nudge_id, worker=worker, now=now, until=now + lease)
        if nudge is None:
            return None
        message = nudge_messages.message_of(session, nudge)
        problem = nudge_rules.why_not(services, session, nudge, now)
        later = None if problem else nudge_rules.postpone_until(services, session, nudge, now)
    to = nudge_messages.recipient(message)
    if problem is not None:
        return _settle(services, nudge, worker, now, to=to, skipped=problem)
    if later is not None:
        _release(services, nudge_id, worker, later, "caught up outside working hours")
        return SweepLine(nudge_id, nudge.kind, to, f"later: {later:%Y-%m-%d %H:%M} UTC")
    try:
        delivered = sender.already_sent(message) if nudge.attempts > 1 else None
        delivered = delivered or sender.send(message)
    except SendFailed as failure:
        if failure.transient and nudge.attempts < MAX_ATTEMPTS:
            _release(
                services, nudge_id, worker, now + _backoff(services, nudge.attempts), str(failure)
            )
            return SweepLine(nudge_id, nudge.kind, to, f"retry: {failure}")
        return _settle(services, nudge, worker, now, to=to, skipped=f"failed: {failure}")
    return _settle(services, nudge, worker, now, to=to, delivered=delivered)


def _release(
    services: Services, nudge_id: int, worker: str, retry_at: datetime, error: str
) -> None:
    with services.database.transaction() as session:
        nudges.release(session, nudge_id=nudge_id, worker=worker, retry_at=retry_at, error=error)


def _backoff(services: Services, attempts: int) -> timedelta:
    first = services.settings.mentorbot_nudge_retry_seconds
    return min(timedelta(seconds=first * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


def _settle(
    services: Services,
    nudge: Nudge,
    worker: str,
    now: datetime,
    *,
    to: str,
    skipped: str | None = None,
    delivered: Delivered | None = None,
) -> SweepLine:
    with services.database.transaction() as session:
        if delivered is not None:
            nudges.finish(
                session,
                nudge_id=nudge.id or 0,
                worker=worker,
                status="sent",
                at=now,
                channel=delivered.channel,
                ts=delivered.ts,
            )
        else:
            nudges.finish(
                session,
                nudge_id=nudge.id or 0,
                worker=worker,
                status="skipped",
                at=now,
                error=skipped,
            )
    outcome = "sent" if delivered is not None else f"skipped: {skipped}"
    return SweepLine(nudge.id or 0, nudge.kind, to, outcome)


def _preview(services: Services, nudge_id: int, now: datetime) -> SweepLine | None:
    with services.database.reading() as session:
        nudge = nudges.get(session, nudge_id)
        if nudge is None:
            return None
        problem = nudge_rules.why_not(services, session, nudge, now)
        message = nudge_messages.message_of(session, nudge)
    outcome = f"would skip: {problem}" if problem else "would send"
    return SweepLine(nudge_id, nudge.kind, nudge_messages.recipient(message), outcome)
