"""Whether a due nudge is still useful, and when a late one should go out (the catch-up rule).

Kinds, and when each is useful (the catch-up rule after the clock was down); the checkpoint
kinds are planned by bot.nudge_plan, at_risk by bot.risk_alerts:
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
Caught up late (the clock was down): a nudge waits for the recipient's next working morning
rather than arriving at night.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services import Services
from bot.workdays import working_moment, zone
from storage import invitations, requests
from storage.models import Checkpoint, MentoringRequest, Nudge, Person, Relationship

ASSESS_USEFUL = timedelta(days=7)
MISSED_USEFUL = timedelta(days=14)
CATCH_UP_GRACE = timedelta(hours=1)
CHECKPOINT_KINDS = frozenset({"before", "assess", "missed"})  # useful only around a checkpoint
REQUEST_KINDS = ("request_overdue", "request_waiting")


def why_not(services: Services, session: Session, nudge: Nudge, now: datetime) -> str | None:
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


def useful_until_of(session: Session, nudge: Nudge) -> datetime | None:
    checkpoint = session.get(Checkpoint, nudge.checkpoint_id) if nudge.checkpoint_id else None
    return _useful_until(nudge, checkpoint) if checkpoint is not None else None


def postpone_until(
    services: Services, session: Session, nudge: Nudge, now: datetime
) -> datetime | None:
    """A nudge caught up late (the clock was down) waits for the recipient's next working
    morning rather than arriving at night; None means send now. Skipping, if the morning is
    too late, is why_not's job on the next try."""
    person = session.get(Person, nudge.person_id) if nudge.person_id else None
    if person is None or now - nudge.send_at <= CATCH_UP_GRACE:
        return None
    tz = zone(person.tz, services.settings.mentorbot_default_timezone)
    moment = working_moment(now, tz, hour=services.settings.mentorbot_nudge_hour)
    return None if moment == now else moment
