"""The clock's work: plan nudges from the database, then send each due one exactly once.

Kinds, and when each is useful (the catch-up rule after the clock was down):
- before:  a reminder on the working morning before a checkpoint, in the recipient's own zone.
           Useful until the checkpoint starts; sent late only during the recipient's working
           hours; otherwise skipped.
- assess:  "how did it go?" after the checkpoint. Useful for 7 days.
- missed:  one friendly follow-up when nobody assessed a checkpoint within 2 working days.
           Useful for 14 days.
- at_risk: a post to the coordinator channel when a relationship becomes at risk, once per
           set of reasons. Always useful while the relationship is active.
- request_overdue / request_waiting: a request past its service level, to the coordinator
           channel and to the requester (planned by bot.service_levels). Useful while the
           request is still waiting.
- agreement_stuck: an agreement nobody confirmed in time, to the coordinator channel
           (planned by bot.stage_alerts). Useful while the relationship is active.
- nudges_stopped / nudges_ignored: the person ignored the last N nudges; they are told once
           how to resume, the coordinator channel why (no private text).
A nudge that is no longer useful is marked skipped, never sent.

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import dm_budget, dm_gate, risk, schedule, visibility
from bot.errors import NotFound, StaleAction
from bot.ports import Delivered, NudgeMessage, NudgeSender, SendFailed
from bot.services import Services
from bot.workdays import add_working_days, working_moment, zone
from storage import (
    agreements,
    assessments,
    checkpoints,
    invitations,
    nudges,
    people,
    relationships,
    requests,
)
from storage import bot_dms as dm_rows
from storage.models import Checkpoint, MentoringRequest, Nudge, Person, Relationship

HORIZON = timedelta(days=14)
ASSESS_USEFUL = timedelta(days=7)
MISSED_USEFUL = timedelta(days=14)
MISSED_AFTER_WORKING_DAYS = 2
CATCH_UP_GRACE = timedelta(hours=1)
MAX_ATTEMPTS = 8
BATCH = 200
CHECKPOINT_KINDS = frozenset({"before", "assess", "missed"})  # useful only around a checkpoint
MERGED = "merged"  # several nudges due for one person at once, sent as one digest DM
REQUEST_KINDS = ("request_overdue", "request_waiting")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class SweepLine:
    """One nudge handled by a sweep, for the operator's printout."""

    nudge_id: int
    kind: str
    to: str
    outcome: str  # sent | skipped: <why> | retry: <why> | would send


# -- planning ------------------------------------------------------------------------------


def plan(services: Services, *, now: datetime) -> int:
    """Create the nudges the database says are owed; safe to run any number of times.

    Work per tick stays small at scale: members are read for all checkpoints in one query, and
    only nudges whose dedupe key does not exist yet are written."""
    with services.database.transaction() as session:
        coming = checkpoints.scheduled_between(session, start=now, end=now + HORIZON)
        recent = checkpoints.scheduled_between(session, start=now - ASSESS_USEFUL, end=now)
        wanted = [
            *_owed(services, session, coming, kind="before"),
            *_owed(services, session, recent, kind="assess"),
        ]
        existing = nudges.existing_keys(session, keys=[str(row["dedupe_key"]) for row in wanted])
        added = sum(
            nudges.plan(session, row) for row in wanted if row["dedupe_key"] not in existing
        )
        added += _close_past_checkpoints(services, session, now)
    return added


def _owed(
    services: Services, session: Session, found: Sequence[checkpoints.Due], *, kind: str
) -> list[dict[str, object]]:
    """The nudge rows each person in these checkpoints' relationships is owed."""
    members = relationships.members_by_relationship(
        session, relationship_ids={c.relationship_id for c in found}
    )
    rows: list[dict[str, object]] = []
    for checkpoint in found:
        for person in members.get(checkpoint.relationship_id, []):
            tz = zone(person.tz, services.settings.mentorbot_default_timezone)
            send_at = (
                _reminder_time(services, checkpoint.due_at, tz)
                if kind == "before"
                else working_moment(checkpoint.due_at + timedelta(hours=1), tz)
            )
            rows.append(
                {
                    "team_id": checkpoint.team_id,
                    "person_id": person.id,
                    "relationship_id": checkpoint.relationship_id,
                    "checkpoint_id": checkpoint.id,
                    "checkpoint_due_at": checkpoint.due_at,
                    "kind": kind,
                    "send_at": send_at,
                    "dedupe_key": _key(kind, checkpoint, person),
                }
            )
    return rows


def _key(kind: str, checkpoint: checkpoints.Due, person: Person) -> str:
    return f"{kind}:{checkpoint.id}:{person.id}:{checkpoint.due_at:%Y%m%dT%H%M}"


def _reminder_time(services: Services, due_at: datetime, tz: ZoneInfo) -> datetime:
    moment = due_at
    for _ in range(services.settings.mentorbot_nudge_days_before):
        moment = schedule.nudge_time(moment, tz.key, hour=services.settings.mentorbot_nudge_hour)
    return moment


def _close_past_checkpoints(services: Services, session: Session, now: datetime) -> int:
    """Past checkpoints: done when someone assessed them; missed (with one follow-up each)
    when nobody did within two working days."""
    added = 0
    past = checkpoints.scheduled_between(session, start=now - MISSED_USEFUL, end=now)
    answered = {
        a.checkpoint_id
        for a in assessments.for_checkpoints(session, checkpoint_ids=[c.id for c in past])
    }
    done = [c.id for c in past if c.id in answered]
    missed = [
        c
        for c in past
        if c.id not in answered
        and add_working_days(c.due_at, MISSED_AFTER_WORKING_DAYS, zone("UTC")) <= now
    ]
    checkpoints.close_scheduled(session, checkpoint_ids=done, status="done", at=now)
    checkpoints.close_scheduled(
        session, checkpoint_ids=[c.id for c in missed], status="missed", at=now
    )
    for checkpoint in missed:
        for person, _ in relationships.members(session, relationship_id=checkpoint.relationship_id):
            tz = zone(person.tz, services.settings.mentorbot_default_timezone)
            added += nudges.plan(
                session,
                {
                    "team_id": checkpoint.team_id,
                    "person_id": person.id,
                    "relationship_id": checkpoint.relationship_id,
                    "checkpoint_id": checkpoint.id,
                    "checkpoint_due_at": checkpoint.due_at,
                    "kind": "missed",
                    "send_at": working_moment(now, tz),
                    "dedupe_key": f"missed:{checkpoint.id}:{person.id}",
                },
            )
    return added


def plan_snooze(services: Services, *, team_id: str, user_id: str, checkpoint_id: int) -> datetime:
    """Remind this person again one working day later, if that is still before the checkpoint."""
    now = services.now()
    with services.database.transaction() as session:
        checkpoint = checkpoints.get(session, team_id=team_id, checkpoint_id=checkpoint_id)
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        if checkpoint is None or person is None or checkpoint.status != "scheduled":
            raise NotFound("That checkpoint is no longer scheduled.")
        tz = zone(person.tz, services.settings.mentorbot_default_timezone)
        again = working_moment(add_working_days(now, 1, tz), tz)
        if again >= checkpoint.due_at:
            raise StaleAction(
                "The checkpoint is before then, so I won't remind you again; "
                "I'll ask how it went afterwards."
            )
        nudges.plan(
            session,
            {
                "team_id": team_id,
                "person_id": person.id,
                "relationship_id": checkpoint.relationship_id,
                "checkpoint_id": checkpoint.id,
                "checkpoint_due_at": checkpoint.due_at,
                "kind": "before",
                "send_at": again,
                "dedupe_key": f"snooze:{checkpoint.id}:{person.id}:{again:%Y%m%d}",
            },
        )
        return again


# -- at-risk ---------------------------------------------------------------------------------


def plan_at_risk(services: Services, *, now: datetime) -> int:
    """Check every active relationship. The coordinators get one post when a relationship
    becomes at risk (with its reasons then), not one per sweep or per change of reasons; once
    it is healthy again, a later relapse is a new post."""
    channel = services.settings.mentorbot_coordinator_channel
    policy = risk.Policy(silent_weeks=services.settings.mentorbot_silent_weeks)
    added = 0
    with services.database.transaction() as session:
        for relationship in relationships.active(session):
            reasons = risk.assess(_facts(session, relationship, now), policy)
            fingerprint = risk.fingerprint(reasons)
            if fingerprint == relationship.at_risk_reasons:
                continue
            newly_at_risk = bool(reasons) and relationship.at_risk_since is None
            relationship.at_risk_reasons = fingerprint
            relationship.at_risk_since = (relationship.at_risk_since or now) if reasons else None
            session.add(relationship)
            if newly_at_risk and channel:
                added += nudges.plan(
                    session,
                    {
                        "team_id": relationship.team_id,
                        "channel": channel,
                        "relationship_id": relationship.id,
                        "kind": "at_risk",
                        "send_at": now,
                        "reasons": "\n".join(r.text for r in reasons)[:500],
                        "dedupe_key": f"at_risk:{relationship.id}:{now:%Y%m%dT%H%M}",
                    },
                )
    return added


def _facts(session: Session, relationship: Relationship, now: datetime) -> risk.Facts:
    assert relationship.id is not None
    members = relationships.members(session, relationship_id=relationship.id)
    by_id = {p.id: p.slack_user_id for p, _ in members}
    found = checkpoints.for_relationship(session, relationship_id=relationship.id)
    answers: dict[int, list[tuple[str, str]]] = {}
    for answer in assessments.for_checkpoints(session, checkpoint_ids=[c.id or 0 for c in found]):
        answers.setdefault(answer.checkpoint_id, []).append(
            (by_id.get(answer.person_id, ""), answer.progress)
        )
    return risk.Facts(
        now=now,
        started_at=relationship.started_at,
        checkpoints=tuple(
            risk.CheckpointFacts(
                due_at=c.due_at, status=c.status, answers=tuple(answers.get(c.id or 0, ()))
            )
            for c in found
        ),
        last_response_at=relationship.last_activity_at,
        members=tuple(by_id.values()),
    )


# -- sending ---------------------------------------------------------------------------------


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
            problem = _why_not(services, session, nudge, now)
            later = None if problem else _postpone_until(services, session, nudge, now)
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
            outgoing.append(_Outgoing(dm_id, group, _dm_message(session, group)))
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
        dm_budget.Candidate(key, nudge.kind, _useful_until_of(session, nudge))
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
        kind = group[0].kind if len(group) == 1 else MERGED
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
        outgoing.append(_Outgoing(dm_id, group, _dm_message(session, group)))
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


def _useful_until_of(session: Session, nudge: Nudge) -> datetime | None:
    checkpoint = session.get(Checkpoint, nudge.checkpoint_id) if nudge.checkpoint_id else None
    return _useful_until(nudge, checkpoint) if checkpoint is not None else None


def _dm_message(session: Session, group: list[Nudge]) -> NudgeMessage:
    if len(group) == 1:
        return _message(session, group[0])
    items = tuple(_message(session, nudge) for nudge in group)
    lead = items[0]
    return NudgeMessage(
        nudge_id=lead.nudge_id,
        kind=MERGED,
        slack_user_id=lead.slack_user_id,
        channel=None,
        relationship_id=None,
        checkpoint_id=None,
        checkpoint_title="",
        due_at=None,
        partners=(),
        plan_items=(),
        reasons=(),
        attempts=max(nudge.attempts for nudge in group),
        items=items,
    )


def _deliver(
    services: Services, sender: NudgeSender, dm: _Outgoing, now: datetime, worker: str
) -> list[SweepLine]:
    """Post one DM (looking first for an earlier attempt's post) and settle its nudges."""
    message = dm.message
    to = _to(message)
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
        message = _message(session, nudge)
        problem = _why_not(services, session, nudge, now)
        later = None if problem else _postpone_until(services, session, nudge, now)
    to = _to(message)
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


def _why_not(services: Services, session: Session, nudge: Nudge, now: datetime) -> str | None:
    """Why this nudge should not go out now, or None when it should."""
    if nudge.kind in REQUEST_KINDS:
        request = session.get(MentoringRequest, nudge.request_id) if nudge.request_id else None
        if request is None or request.status not in requests.OPEN_STATUSES:
            return "the request was matched or cancelled"
        return None
    if nudge.relationship_id is not None:
        relationship = session.get(Relationship, nudge.relationship_id)
        if relationship is None or relationship.status != "active":
            return "the relationship has ended"
    if nudge.payload:  # a listener's DM the budget deferred
        return _why_not_deferred(session, nudge)
    if nudge.kind not in CHECKPOINT_KINDS:  # useful while the relationship (if any) is active
        return None
    checkpoint = session.get(Checkpoint, nudge.checkpoint_id) if nudge.checkpoint_id else None
    if checkpoint is None or checkpoint.due_at != nudge.checkpoint_due_at:
        return "the checkpoint moved or was removed"
    if now >= _useful_until(nudge, checkpoint):
        return "stale"
    if nudge.kind == "before" and checkpoint.status != "scheduled":
        return "the checkpoint is already done"
    if nudge.kind == "assess" and checkpoint.status == "cancelled":
        return "the checkpoint was removed"
    return None


def _why_not_deferred(session: Session, nudge: Nudge) -> str | None:
    invitation_id = nudge.payload.get("invitation_id")
    if isinstance(invitation_id, int):
        invitation = invitations.get(session, team_id=nudge.team_id, invitation_id=invitation_id)
        if invitation is None or invitation.status != "pending":
            return "the invitation was answered or withdrawn meanwhile"
    return None


def _useful_until(nudge: Nudge, checkpoint: Checkpoint) -> datetime:
    return {
        "before": checkpoint.due_at,
        "assess": checkpoint.due_at + ASSESS_USEFUL,
        "missed": checkpoint.due_at + MISSED_USEFUL,
    }.get(nudge.kind, checkpoint.due_at)


def _postpone_until(
    services: Services, session: Session, nudge: Nudge, now: datetime
) -> datetime | None:
    """A nudge caught up late (the clock was down) waits for the recipient's next working
    morning rather than arriving at night; None means send now. Skipping, if the morning is
    too late, is _why_not's job on the next try."""
    person = session.get(Person, nudge.person_id) if nudge.person_id else None
    if person is None or now - nudge.send_at <= CATCH_UP_GRACE:
        return None
    tz = zone(person.tz, services.settings.mentorbot_default_timezone)
    moment = working_moment(now, tz, hour=services.settings.mentorbot_nudge_hour)
    return None if moment == now else moment


def _message(session: Session, nudge: Nudge) -> NudgeMessage:
    person = session.get(Person, nudge.person_id) if nudge.person_id else None
    checkpoint = session.get(Checkpoint, nudge.checkpoint_id) if nudge.checkpoint_id else None
    partners: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    if nudge.relationship_id is not None:
        partners = tuple(
            p.slack_user_id
            for p, _ in relationships.members(session, relationship_id=nudge.relationship_id)
            if person is None or p.id != person.id
        )
    if checkpoint is not None and checkpoint.agreement_id is not None:
        items = tuple(
            item.title
            for item in agreements.plan_items(session, agreement_id=checkpoint.agreement_id)
            if item.due_on is not None
            and item.due_on <= checkpoint.due_at.date()
            and item.state == "open"
        )
    request = session.get(MentoringRequest, nudge.request_id) if nudge.request_id else None
    requester = session.get(Person, request.requester_id) if request is not None else None
    return NudgeMessage(
        request_id=nudge.request_id,
        request_kind=(request.kind_chosen or request.kind_asked) if request else "",
        request_summary=request.summary if request else "",
        requester=requester.slack_user_id if requester else None,
        nudge_id=nudge.id or 0,
        kind=nudge.kind,
        slack_user_id=person.slack_user_id if person else None,
        channel=nudge.channel,
        relationship_id=nudge.relationship_id,
        checkpoint_id=nudge.checkpoint_id,
        checkpoint_title=checkpoint.title if checkpoint else "",
        due_at=checkpoint.due_at if checkpoint else None,
        partners=partners,
        plan_items=items,
        reasons=tuple(line for line in nudge.reasons.splitlines() if line),
        attempts=nudge.attempts,
        payload=dict(nudge.payload or {}),
    )


def _preview(services: Services, nudge_id: int, now: datetime) -> SweepLine | None:
    with services.database.reading() as session:
        nudge = nudges.get(session, nudge_id)
        if nudge is None:
            return None
        problem = _why_not(services, session, nudge, now)
        message = _message(session, nudge)
    outcome = f"would skip: {problem}" if problem else "would send"
    return SweepLine(nudge_id, nudge.kind, _to(message), outcome)


def _to(message: NudgeMessage) -> str:
    return message.slack_user_id or message.channel or "?"
