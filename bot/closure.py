"""Ending a relationship: either side may close it, with a reason; both are told, and each is
asked for what closure needs (a final reflection, thanks, the mentor's report)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import NotAllowed, NotFound, StaleAction
from bot.services import Services
from storage import checkpoints, relationships

LEFT_PROGRAM = "left_program"
REASONS = {
    "goals_met": "the goals were met",
    "no_longer_needed": "it is no longer needed",
    "not_working": "it was not working",
    LEFT_PROGRAM: "they have left the mentoring program",
}


@dataclass(frozen=True)
class Ended:
    relationship_id: int
    kind: str
    reason: str
    closed_by: str
    guide: str
    learners: tuple[str, ...]


def end(
    services: Services, *, team_id: str, user_id: str, relationship_id: int, reason: str | None
) -> Ended:
    if reason not in REASONS:
        raise NotFound("Please choose why the relationship is ending.")
    now = services.now()
    with services.database.transaction() as session:
        relationship = relationships.get(session, team_id=team_id, relationship_id=relationship_id)
        if relationship is None:
            raise NotFound("I can't find that relationship.")
        members = relationships.members(session, relationship_id=relationship_id)
        if user_id not in {p.slack_user_id for p, _ in members}:
            raise NotAllowed("Only the people in this relationship can end it.")
        if relationship.status != "active":
            raise StaleAction("This relationship has already ended.")
        relationship.status = "closed"
        relationship.ended_at = now
        relationship.end_reason = reason
        session.add(relationship)
        checkpoints.cancel_scheduled_after(session, relationship_id=relationship_id, after=now)
        return Ended(
            relationship_id=relationship_id,
            kind=relationship.kind,
            reason=reason,
            closed_by=user_id,
            guide=next(p.slack_user_id for p, role in members if role == "guide"),
            learners=tuple(p.slack_user_id for p, role in members if role != "guide"),
        )
