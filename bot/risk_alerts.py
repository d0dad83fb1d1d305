"""At-risk alerts: one post to the coordinator channel when a relationship becomes at risk
(the rules themselves are bot/risk.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import risk
from bot.services import Services
from storage import assessments, checkpoints, nudges, relationships
from storage.models import Relationship


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
