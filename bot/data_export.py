"""A person's copy of their data: everything Mentorbot stores about them, as one JSON-ready
document.

`export` gathers their own records (and what partners chose to share with them, marked as
such), never a partner's private notes; the export itself is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.services import Services
from storage import audit, exclusions, offers, people
from storage import data_rights as rows
from storage.models import (
    Assessment,
    Invitation,
    MentoringRequest,
    Person,
    Reflection,
    Relationship,
)

EXPORT_FORMAT = "mentorbot-my-data/1"


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
