"""A person's data rights: a copy of everything Mentorbot stores about them, and erasure.

`export` gathers their own records (and what partners chose to share with them, marked as
such), never a partner's private notes. `forget` removes, in one transaction, every piece of
personal text and every identifier of the person from every table, while keeping the rows that
anonymous program counts need (relationships, checkpoints, reflections, thanks…): the person's
Slack id becomes a stable anonymous token, and free text becomes "".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot import agreement_terms
from bot.services import Services
from storage import audit, checkpoints, coordinators, exclusions, offers, people
from storage import data_rights as rows
from storage.models import (
    Assessment,
    Checkpoint,
    Invitation,
    MentoringRequest,
    Person,
    PlanItem,
    Reflection,
    Relationship,
)

EXPORT_FORMAT = "mentorbot-my-data/1"
ANONYMOUS_PREFIX = "ERASED-"
FORGOTTEN = "forgotten"
TEXT_FIELDS = frozenset({"text", "long_text"})
KEPT_FIELDS = frozenset({"choice", "choices", "date"})
_SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_NUMBERED = re.compile(r"Checkpoint \d+")


@dataclass(frozen=True)
class Erased:
    """The outcome of a forget-me: `already` when nothing personal was left to erase."""

    already: bool
    token: str
    changed: Mapping[str, int] = field(default_factory=dict)
    withdrawn: tuple[tuple[str, str], ...] = ()
    """(channel, ts) of invitation DMs to volunteers that quoted the person's request and were
    still waiting for an answer: the caller replaces them with a "withdrawn" line."""


def anonymous_token(team_id: str, user_id: str) -> str:
    """The stable stand-in for an erased person's Slack id: the same for the same person, so
    the people table's unique constraint still holds and a second erasure finds the first."""
    digest = hashlib.sha256(f"{team_id}:{user_id}".encode()).hexdigest()
    return f"{ANONYMOUS_PREFIX}{digest[:12]}"


# -- export --------------------------------------------------------------------------------


def export(services: Services, *, team_id: str, user_id: str) -> dict[str, Any]:
    """Everything stored about the person, as a JSON-ready document; the export is audited."""
    now = services.now()
    with services.database.transaction() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        document: dict[str, Any] = {
            "format": EXPORT_FORMAT,
            "exported_at": _iso(now),
            "workspace": team_id,
            "slack_user_id": user_id,
        }
        if person is not None and person.id is not None:
            document.update(_gather(session, person, team_id=team_id, user_id=user_id))
        else:
            document["note"] = "Mentorbot stores nothing about you yet."
        entries = rows.coordinator_entries(session, team_id=team_id, slack_user_id=user_id)
        document["coordinator"] = {
            "you_were_added_as_coordinator_by": next(
                (c.added_by for c in entries if c.slack_user_id == user_id), None
            ),
            "coordinators_you_added": [
                {"slack_user_id": c.slack_user_id, "at": _iso(c.added_at)}
                for c in entries
                if c.added_by == user_id
            ],
        }
        document["audit_events"] = [
            {
                "action": event.action,
                "subject": event.subject,
                "detail": event.detail,
                "at": _iso(event.created_at),
            }
            for event in rows.audit_by(session, team_id=team_id, actor=user_id)
        ]
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action="privacy.export",
            at=now,
            subject="self",
            detail={"format": EXPORT_FORMAT},
        )
    return document


def _gather(session: Session, person: Person, *, team_id: str, user_id: str) -> dict[str, Any]:
    assert person.id is not None
    me = person.id
    mine = rows.memberships(session, team_id=team_id, person_id=me)
    relationship_ids = [r.id for r, _ in mine if r.id is not None]
    own_requests = rows.requests_by(session, team_id=team_id, person_id=me)
    received = rows.invitations_received(session, team_id=team_id, person_id=me)
    caused = rows.invitations_caused(session, team_id=team_id, person_id=me, slack_user_id=user_id)
    thanks = rows.appreciations_of(session, person_id=me)
    shared = rows.reflections_shared_with(session, person_id=me, relationship_ids=relationship_ids)
    reports = rows.reports_of(session, person_id=me, relationship_ids=relationship_ids)
    everyone = {i.person_id for i in caused} | {t.from_id for t in thanks}
    everyone |= {t.to_id for t in thanks} | {r.author_id for r in shared}
    everyone |= {r.author_id for r in reports}
    who = rows.slack_ids(session, person_ids=sorted(everyone))
    offer = offers.for_person(session, team_id=team_id, person_id=me)
    assessed = {a.checkpoint_id: a for a in rows.assessments_by(session, person_id=me)}
    return {
        "you": {
            "slack_user_id": person.slack_user_id,
            "display_name": person.display_name,
            "time_zone": person.tz,
            "manager_slack_id": person.manager_slack_id,
            "nudges_muted": person.nudges_muted,
            "paused_until": _iso(person.paused_until),
            "nudges_stopped_at": _iso(person.nudges_stopped_at),
            "shoutouts_opt_out": person.shoutouts_opt_out,
            "first_seen_at": _iso(person.created_at),
            "last_seen_at": _iso(person.last_seen_at),
        },
        "never_paired_with": [p.slack_user_id for p in exclusions.listed_by(session, person_id=me)],
        "offer": None
        if offer is None
        else {
            "as_mentor": offer.as_mentor,
            "as_coach": offer.as_coach,
            "topics": offer.topics,
            "style": offer.style,
            "formats": list(offer.formats),
            "capacity": offer.capacity,
            "availability": offer.availability,
            "status": offer.status,
            "created_at": _iso(offer.created_at),
            "updated_at": _iso(offer.updated_at),
        },
        "requests": [_request(r) for r in own_requests],
        "invitations_received": [_invitation(i, received=True) for i in received],
        "invitations_on_your_requests_or_assigned_by_you": [
            {**_invitation(i, received=False), "volunteer": who.get(i.person_id)} for i in caused
        ],
        "relationships": [
            _relationship(session, relationship, role, me=me, assessments=assessed)
            for relationship, role in mine
        ],
        "reflections": [_reflection(r) for r in rows.reflections_by(session, person_id=me)],
        "reflections_shared_with_you": [
            {**_reflection(r), "shared_with_you_by": who.get(r.author_id)} for r in shared
        ],
        "appreciation_sent": [
            {
                "to": who.get(t.to_id),
                "message": t.message,
                "public": t.public,
                "at": _iso(t.created_at),
            }
            for t in thanks
            if t.from_id == me
        ],
        "appreciation_received": [
            {
                "from": who.get(t.from_id),
                "message": t.message,
                "public": t.public,
                "at": _iso(t.created_at),
            }
            for t in thanks
            if t.to_id == me
        ],
        "mentor_reports": [
            {
                "relationship": r.relationship_id,
                "written_by": "you" if r.author_id == me else who.get(r.author_id),
                "occasion": r.occasion,
                "goals_reached": list(r.goals_reached),
                "progress": r.progress,
                "learned": r.learned,
                "recommendations": r.recommendations,
                "at": _iso(r.created_at),
            }
            for r in reports
        ],
        "pulse_responses": [
            {
                "relationship": r.relationship_id,
                "period": r.period,
                "rating": r.rating,
                "suggestion": r.suggestion,
                "at": _iso(r.created_at),
            }
            for r in rows.pulse_responses_by(session, person_id=me)
        ],
        "nudges": [
            {
                "kind": n.kind,
                "relationship": n.relationship_id,
                "checkpoint_due_at": _iso(n.checkpoint_due_at),
                "send_at": _iso(n.send_at),
                "sent_at": _iso(n.sent_at),
                "status": n.status,
            }
            for n in rows.nudges_for(session, person_id=me)
        ],
    }


def _request(request: MentoringRequest) -> dict[str, Any]:
    return {
        "reference": request.id,
        "kind_asked": request.kind_asked,
        "kind_recommended": request.kind_recommended,
        "kind_chosen": request.kind_chosen,
        "need": request.need,
        "summary": request.summary,
        "drivers": list(request.drivers),
        "goal_scope": request.goal_scope,
        "format": request.format,
        "time_commitment": request.time_commitment,
        "manager_slack_id": request.manager_slack_id,
        "status": request.status,
        "created_at": _iso(request.created_at),
        "updated_at": _iso(request.updated_at),
        "closed_at": _iso(request.closed_at),
    }


def _invitation(invitation: Invitation, *, received: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "request": invitation.request_id,
        "status": invitation.status,
        "assigned_by": invitation.assigned_by,
        "why": invitation.why,
        "asked_at": _iso(invitation.asked_at),
        "expires_at": _iso(invitation.expires_at),
        "answered_at": _iso(invitation.answered_at),
    }
    if received:  # a volunteer's reason for declining is theirs, not the requester's
        shown["your_decline_reason"] = invitation.decline_reason
    return shown


def _relationship(
    session: Session,
    relationship: Relationship,
    role: str,
    *,
    me: int,
    assessments: Mapping[int, Assessment],
) -> dict[str, Any]:
    assert relationship.id is not None
    members = rows.members_by_relationship(session, relationship_ids=[relationship.id])
    partners = [p.slack_user_id for p, _ in members.get(relationship.id, []) if p.id != me]
    versions = rows.agreements_of(session, relationship_ids=[relationship.id])
    version_ids = [a.id for a in versions if a.id is not None]
    confirmations = rows.confirmations_of(session, agreement_ids=version_ids)
    who = rows.slack_ids(session, person_ids=sorted({c.person_id for c in confirmations}))
    items = rows.plan_items_of(session, agreement_ids=version_ids)
    return {
        "reference": relationship.id,
        "kind": relationship.kind,
        "your_role": role,
        "partners": partners,
        "status": relationship.status,
        "topic": relationship.topic,
        "started_at": _iso(relationship.started_at),
        "ended_at": _iso(relationship.ended_at),
        "end_reason": relationship.end_reason,
        "last_activity_at": _iso(relationship.last_activity_at),
        "agreements": [
            {
                "version": agreement.version,
                "status": agreement.status,
                "terms": agreement.terms,
                "created_at": _iso(agreement.created_at),
                "updated_at": _iso(agreement.updated_at),
                "proposed_at": _iso(agreement.proposed_at),
                "activated_at": _iso(agreement.activated_at),
                "confirmed_by": [
                    who.get(c.person_id) for c in confirmations if c.agreement_id == agreement.id
                ],
                "plan_items": [
                    {
                        "type": item.item_type,
                        "title": item.title,
                        "detail": item.detail,
                        "due_on": _iso(item.due_on),
                        "state": item.state,
                    }
                    for item in items
                    if item.agreement_id == agreement.id
                ],
            }
            for agreement in versions
        ],
        "checkpoints": [
            {
                "title": checkpoint.title,
                "reason": checkpoint.reason,
                "due_at": _iso(checkpoint.due_at),
                "status": checkpoint.status,
                "completed_at": _iso(checkpoint.completed_at),
                "your_assessment": _assessment(assessments.get(checkpoint.id or 0)),
            }
            for checkpoint in rows.checkpoints_of(session, relationship_ids=[relationship.id])
        ],
    }


def _assessment(answer: Assessment | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {"progress": answer.progress, "note": answer.note, "at": _iso(answer.updated_at)}


def _reflection(reflection: Reflection) -> dict[str, Any]:
    return {
        "relationship": reflection.relationship_id,
        "learned": reflection.learned,
        "next_step": reflection.next_step,
        "usefulness": reflection.usefulness,
        "shared_with_partner": reflection.shared_with_partner,
        "counts_in_reports": reflection.counts_in_reports,
        "at": _iso(reflection.created_at),
    }


def _iso(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


# -- erasure -------------------------------------------------------------------------------


def forget(services: Services, *, team_id: str, user_id: str) -> Erased:
    """Erase the person, in one transaction. A second call finds nothing left to erase."""
    erased = _forget(services, team_id=team_id, user_id=user_id)
    services.contacts.forget(team_id, user_id)  # their next command records them afresh
    return erased


def _forget(services: Services, *, team_id: str, user_id: str) -> Erased:
    now = services.now()
    token = anonymous_token(team_id, user_id)
    with services.database.transaction() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        earlier = people.by_slack_id(session, team_id=team_id, slack_user_id=token)
        if person is None or person.id is None:
            changed = _scrub(session, team_id, user_id, token)
            return Erased(already=not changed, token=token, changed=changed)
        if earlier is not None:
            if rows.references_to(session, person_id=person.id) == 0:
                # Erased before, and only re-recorded by using a command since: drop that row.
                session.delete(person)
                session.flush()
                changed = _scrub(session, team_id, user_id, token)
                return Erased(already=True, token=token, changed=changed)
            token = f"{token}-{person.id}"  # they came back and took part again
        waiting = tuple(
            (i.slack_channel, i.slack_ts)
            for i in rows.invitations_on_requests_of(session, team_id=team_id, person_id=person.id)
            if i.status == "pending" and i.slack_channel and i.slack_ts
        )
        changed = _erase(session, person, team_id=team_id, user_id=user_id, token=token, now=now)
        audit.record(
            session,
            team_id=team_id,
            actor=token,
            action="privacy.forget",
            at=now,
            detail={"changed": dict(changed)},
        )
        return Erased(already=False, token=token, changed=changed, withdrawn=waiting)


def _erase(
    session: Session, person: Person, *, team_id: str, user_id: str, token: str, now: datetime
) -> dict[str, int]:
    assert person.id is not None
    me = person.id
    changed: dict[str, int] = {}
    memberships = rows.memberships(session, team_id=team_id, person_id=me)
    relationship_ids = [r.id for r, _ in memberships if r.id is not None]

    person.slack_user_id = token
    person.display_name = ""
    person.tz = None
    person.manager_slack_id = None
    person.erased_at = now
    session.add(person)
    session.flush()

    listed = exclusions.listed_by(session, person_id=me)
    changed["pool_exclusions"] = exclusions.remove(
        session, person_id=me, avoided_ids=[p.id for p in listed if p.id is not None]
    )
    offer = offers.for_person(session, team_id=team_id, person_id=me)
    if offer is not None:
        offer.topics = ""
        offer.availability = ""
        offer.status = "withdrawn"
        offer.updated_at = now
        session.add(offer)

    changed["requests_cancelled"] = rows.close_requests(
        session, team_id=team_id, person_id=me, at=now
    )
    received = rows.invitations_received(session, team_id=team_id, person_id=me)
    for invitation in received:
        invitation.decline_reason = None
        invitation.why = ""  # built from the volunteer's own topics
        invitation.slack_channel = None
        invitation.slack_ts = None
        session.add(invitation)
    on_mine = rows.invitations_on_requests_of(session, team_id=team_id, person_id=me)
    for invitation in on_mine:
        invitation.why = ""  # names the topics the requester's need matched
        session.add(invitation)
    session.flush()
    changed["invitations_withdrawn"] = rows.withdraw_invitations(
        session,
        team_id=team_id,
        invitation_ids=[i.id for i in (*received, *on_mine) if i.id is not None],
        at=now,
    )

    closed = 0
    for relationship, _ in memberships:
        relationship.topic = ""
        if relationship.status == "active":
            relationship.status = "closed"
            relationship.ended_at = now
            relationship.end_reason = FORGOTTEN
            closed += 1
            # every checkpoint still scheduled (all are due after the start) is cancelled
            checkpoints.cancel_scheduled_after(
                session, relationship_id=relationship.id or 0, after=relationship.started_at
            )
        session.add(relationship)
    changed["relationships_closed"] = closed

    versions = rows.agreements_of(session, relationship_ids=relationship_ids)
    for agreement in versions:
        agreement.terms = blank_terms(agreement.terms, user_id=user_id, token=token)
        session.add(agreement)
    for item in rows.plan_items_of(session, agreement_ids=[a.id for a in versions if a.id]):
        _blank_plan_item(item, user_id=user_id, token=token)
        session.add(item)
    for checkpoint in rows.checkpoints_of(session, relationship_ids=relationship_ids):
        checkpoint.title = anonymous_title(checkpoint)
        session.add(checkpoint)

    for answer in rows.assessments_by(session, person_id=me):
        answer.note = ""
        session.add(answer)
    for reflection in rows.reflections_by(session, person_id=me):
        reflection.learned = ""
        reflection.next_step = ""
        if not reflection.counts_in_reports:
            reflection.usefulness = None
        session.add(reflection)
    for thanks in rows.appreciations_of(session, person_id=me):
        thanks.message = ""
        session.add(thanks)
    for report in rows.reports_of(session, person_id=me, relationship_ids=relationship_ids):
        report.goals_reached = ["" for _ in report.goals_reached]  # how many, not which
        report.progress = ""
        report.learned = ""
        report.recommendations = ""
        session.add(report)

    for pulse in rows.pulse_responses_by(session, person_id=me):
        pulse.suggestion = ""  # the 1-5 rating stays: it is a count
        session.add(pulse)
    if coordinators.remove(session, team_id=team_id, slack_user_id=user_id):
        changed["coordinator_role_removed"] = 1

    changed["nudges_skipped"] = rows.skip_nudges(session, person_id=me)
    session.flush()
    for name, count in _scrub(session, team_id, user_id, token).items():
        changed[name] = changed.get(name, 0) + count
    return {name: count for name, count in changed.items() if count}


def _scrub(session: Session, team_id: str, user_id: str, token: str) -> dict[str, int]:
    """Remove the Slack id from everywhere it is still stored: managers are forgotten,
    mentions in coordinator alerts become "someone", any other occurrence becomes the token."""
    changed: dict[str, int] = {}
    managers = rows.unlink_manager(session, team_id=team_id, slack_user_id=user_id)
    if managers:
        changed["manager_links_removed"] = managers
    mentioned = 0
    for nudge in rows.nudges_mentioning(session, team_id=team_id, text=f"<@{user_id}"):
        nudge.reasons = without_mention(nudge.reasons, user_id)
        session.add(nudge)
        mentioned += 1
    if mentioned:
        changed["mentions_removed"] = mentioned
    session.flush()
    for table, count in rows.replace_identifier(
        session, team_id=team_id, old=user_id, new=token
    ).items():
        changed[f"{table}_ids_replaced"] = count
    return changed


# -- pure rules (tested on their own too) ----------------------------------------------------


def blank_terms(terms: Mapping[str, Any], *, user_id: str, token: str) -> dict[str, Any]:
    """Agreement terms with every free-text answer blanked; choices, dates and the structure
    stay, and the person's Slack id in a list of people (experts) becomes the token."""
    blanked: dict[str, Any] = {}
    for step_name, answers in terms.items():
        step = agreement_terms.STEP_BY_NAME.get(step_name)
        specs = {spec.name: spec.kind for spec in step.fields} if step else {}
        if isinstance(answers, Mapping):
            blanked[step_name] = {
                name: _blank_answer(specs.get(name), value, user_id=user_id, token=token)
                for name, value in answers.items()
            }
        else:
            blanked[step_name] = _blank_answer(None, answers, user_id=user_id, token=token)
    return blanked


def _blank_answer(kind: str | None, value: Any, *, user_id: str, token: str) -> Any:
    if kind in KEPT_FIELDS:
        return value
    if kind in TEXT_FIELDS:
        return "" if isinstance(value, str) else value
    if kind == "users" and isinstance(value, list):
        return [token if v == user_id else v for v in value]
    return _blank_unknown(value, user_id=user_id, token=token)


def _blank_unknown(value: Any, *, user_id: str, token: str) -> Any:
    """A field the terms spec does not describe: keep numbers and other people's Slack ids,
    blank any other text (it may be something someone typed)."""
    if isinstance(value, str):
        if value == user_id:
            return token
        return value if _SLACK_ID.fullmatch(value) else ""
    if isinstance(value, list):
        return [_blank_unknown(v, user_id=user_id, token=token) for v in value]
    if isinstance(value, Mapping):
        return {k: _blank_unknown(v, user_id=user_id, token=token) for k, v in value.items()}
    return value


def _blank_plan_item(item: PlanItem, *, user_id: str, token: str) -> None:
    if item.item_type == "expert":
        item.title = token if item.title == user_id else item.title
        item.detail = ""
        return
    item.title = ""
    item.detail = ""


def anonymous_title(checkpoint: Checkpoint) -> str:
    """Numbered cadence titles are fixed wording; any other title may quote the plan."""
    title = checkpoint.title
    if title == "Checkpoint" or _NUMBERED.fullmatch(title):
        return title
    return "Deliverable due" if checkpoint.reason == "deliverable" else "Checkpoint"


def without_mention(text: str, user_id: str) -> str:
    """Replace `<@user>` (or `<@user|name>`) with "someone" ("Someone" to start a line)."""
    pattern = re.compile(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>")

    def someone(match: re.Match[str]) -> str:
        start = match.start()
        return "Someone" if start == 0 or text[start - 1] == "\n" else "someone"

    return pattern.sub(someone, text)
