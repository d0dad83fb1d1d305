"""The message a due nudge becomes: one nudge's text facts, or several merged into one digest DM."""

from __future__ import annotations

from sqlmodel import Session

from bot.ports import NudgeMessage
from storage import agreements, relationships
from storage.models import Checkpoint, MentoringRequest, Nudge, Person

MERGED = "merged"  # several nudges due for one person at once, sent as one digest DM


def message_of(session: Session, nudge: Nudge) -> NudgeMessage:
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


def dm_message(session: Session, group: list[Nudge]) -> NudgeMessage:
    if len(group) == 1:
        return message_of(session, group[0])
    items = tuple(message_of(session, nudge) for nudge in group)
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


def recipient(message: NudgeMessage) -> str:
    return message.slack_user_id or message.channel or "?"
