"""A volunteer's answer to an invitation: accept, decline, or (by the clock) no answer in time.

Answering is a conditional update on a pending invitation, and a relationship is unique per
request, so double clicks, Slack retries and a clock expiring the same invitation all resolve
to exactly one outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import requesting
from bot.errors import NotAllowed, NotFound, StaleAction
from bot.matching import Candidate
from bot.services import Services
from storage import invitations, relationships, requests
from storage.models import Invitation, Kind, MentoringRequest, Person, RelationshipKind

ANSWERED = {
    "accepted": "You already accepted this one. Thank you!",
    "declined": "You already declined this one; they have been offered someone else.",
    "expired": "This invitation has expired and they have been offered someone else.",
    "withdrawn": "This request was withdrawn by the person who made it: nothing to do.",
}
RELATIONSHIP_KIND = {Kind.MENTOR: RelationshipKind.MENTORING, Kind.COACH: RelationshipKind.COACHING}


@dataclass(frozen=True)
class Accepted:
    team_id: str
    relationship_id: int
    kind: Kind
    requester_slack_id: str
    guide_slack_id: str
    invitation: Invitation


@dataclass(frozen=True)
class Passed:
    """A volunteer declined, or let the invitation expire: what the requester is offered next."""

    invitation: Invitation
    volunteer_slack_id: str
    volunteer_name: str
    expired: bool
    card: requesting.RequestCard
    next_candidates: tuple[Candidate, ...]

    @property
    def queued(self) -> bool:
        return not self.next_candidates


def accept(services: Services, *, team_id: str, user_id: str, invitation_id: int) -> Accepted:
    now = services.now()
    with services.database.transaction() as session:
        invitation, volunteer = _own_invitation(session, team_id, user_id, invitation_id)
        request = _request(session, invitation)
        if not invitations.answer(session, invitation, status="accepted", at=now, reason=None):
            raise StaleAction(ANSWERED[invitation.status])
        if request.status not in requests.OPEN_STATUSES:
            raise StaleAction(ANSWERED["withdrawn"])
        kind = Kind(request.kind_chosen or request.kind_asked)
        relationship_kind = (
            RelationshipKind.OBSERVATION
            if request.format == "observation"
            else RELATIONSHIP_KIND[kind]
        )
        assert volunteer.id is not None and request.id is not None
        relationship, _ = relationships.start_for_request(
            session,
            team_id=team_id,
            request_id=request.id,
            kind=relationship_kind.value,
            guide_id=volunteer.id,
            learner_ids=[request.requester_id],
            at=now,
        )
        requests.set_status(session, request, "matched", now)
        requester = session.get(Person, request.requester_id)
        assert requester is not None and relationship.id is not None
        return Accepted(
            team_id=team_id,
            relationship_id=relationship.id,
            kind=kind,
            requester_slack_id=requester.slack_user_id,
            guide_slack_id=volunteer.slack_user_id,
            invitation=invitation,
        )


def decline(
    services: Services, *, team_id: str, user_id: str, invitation_id: int, reason: str
) -> Passed:
    now = services.now()
    with services.database.transaction() as session:
        invitation, volunteer = _own_invitation(session, team_id, user_id, invitation_id)
        if not invitations.answer(
            session, invitation, status="declined", at=now, reason=reason or None
        ):
            raise StaleAction(ANSWERED[invitation.status])
        return _next_step(session, invitation, volunteer, now=now, expired=False)


def expire_due(services: Services) -> list[Passed]:
    """Invitations nobody answered in time: each one offers the requester the next candidate."""
    now = services.now()
    outcomes = []
    with services.database.transaction() as session:
        due = invitations.expired(session, now=now)
    for stale in due:
        assert stale.id is not None
        with services.database.transaction() as session:
            invitation = invitations.get(session, team_id=stale.team_id, invitation_id=stale.id)
            if invitation is None or not invitations.answer(
                session, invitation, status="expired", at=now, reason=None
            ):
                continue
            volunteer = session.get(Person, invitation.person_id)
            assert volunteer is not None
            outcomes.append(_next_step(session, invitation, volunteer, now=now, expired=True))
    return outcomes


def _next_step(
    session: Session, invitation: Invitation, volunteer: Person, *, now: datetime, expired: bool
) -> Passed:
    request = _request(session, invitation)
    found: list[Candidate] = []
    if request.status in requests.OPEN_STATUSES:
        found = requesting.candidates(session, request, now=now, limit=requesting.CANDIDATES_SHOWN)
        requests.set_status(session, request, "matching" if found else "unmatched", now)
    return Passed(
        invitation=invitation,
        volunteer_slack_id=volunteer.slack_user_id,
        volunteer_name=volunteer.display_name or volunteer.slack_user_id,
        expired=expired,
        card=requesting.card(session, request),
        next_candidates=tuple(found),
    )


def _own_invitation(
    session: Session, team_id: str, user_id: str, invitation_id: int
) -> tuple[Invitation, Person]:
    invitation = invitations.get(session, team_id=team_id, invitation_id=invitation_id)
    if invitation is None:
        raise NotFound("I can't find that invitation any more.")
    volunteer = session.get(Person, invitation.person_id)
    if volunteer is None or volunteer.slack_user_id != user_id:
        raise NotAllowed("Only the person who was asked can answer this.")
    return invitation, volunteer


def _request(session: Session, invitation: Invitation) -> MentoringRequest:
    request = requests.get_for_update(
        session, team_id=invitation.team_id, request_id=invitation.request_id
    )
    if request is None:
        raise NotFound("I can't find that request any more.")
    return request
