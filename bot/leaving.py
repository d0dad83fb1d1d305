"""Leaving the program in one step: the offer withdrawn, open requests cancelled, invitations
declined on the person's behalf (each requester is offered the next match), and every active
relationship closed through the usual closure path. Nothing is deleted; erasing data is
`/mentoring forget-me`.

Each part runs in its own transaction through the same functions the single actions use, so a
second `leave` after an interruption finishes what the first one started."""

from __future__ import annotations

from dataclasses import dataclass

from bot import closure, consent, overview, pool, requesting
from bot.errors import DomainError
from bot.people import Known
from bot.services import Services
from storage import invitations
from storage.models import Invitation

DECLINE_REASON = "They have left the mentoring program."


@dataclass(frozen=True)
class Preview:
    """What leaving would change, shown before the person confirms."""

    offer: bool
    requests: int
    invitations: int
    relationships: int

    @property
    def nothing(self) -> bool:
        return not (self.offer or self.requests or self.invitations or self.relationships)


@dataclass(frozen=True)
class Left:
    offer_withdrawn: bool
    withdrawn: tuple[Invitation, ...]  # invitations of the person's cancelled requests
    cancelled: int
    passed: tuple[consent.Passed, ...]  # invitations to them, declined on their behalf
    ended: tuple[closure.Ended, ...]


def preview(services: Services, *, team_id: str, user_id: str) -> Preview:
    mine = overview.for_person(services, team_id=team_id, user_id=user_id)
    return Preview(
        offer=mine.offer is not None and mine.offer.status != "withdrawn",
        requests=len(mine.requests),
        invitations=mine.invitations_waiting,
        relationships=len(mine.relationships),
    )


def leave(services: Services, person: Known, *, team_id: str) -> Left:
    user_id = person.slack_user_id
    mine = overview.for_person(services, team_id=team_id, user_id=user_id)
    withdrawn_offer = False
    if mine.offer is not None and mine.offer.status != "withdrawn":
        pool.change_status(services, person, team_id=team_id, action="withdraw")
        withdrawn_offer = True
    withdrawn: list[Invitation] = []
    cancelled = 0
    for request in mine.requests:
        try:
            withdrawn += requesting.cancel(
                services, team_id=team_id, user_id=user_id, request_id=request.request_id
            )
            cancelled += 1
        except DomainError:
            continue  # answered or cancelled meanwhile: nothing left to do
    passed = []
    for invitation_id in _pending_invitations(services, team_id=team_id, person_id=person.id):
        try:
            passed.append(
                consent.decline(
                    services,
                    team_id=team_id,
                    user_id=user_id,
                    invitation_id=invitation_id,
                    reason=DECLINE_REASON,
                )
            )
        except DomainError:
            continue
    ended = []
    for line in mine.relationships:
        try:
            ended.append(
                closure.end(
                    services,
                    team_id=team_id,
                    user_id=user_id,
                    relationship_id=line.relationship_id,
                    reason=closure.LEFT_PROGRAM,
                )
            )
        except DomainError:
            continue
    return Left(
        offer_withdrawn=withdrawn_offer,
        withdrawn=tuple(withdrawn),
        cancelled=cancelled,
        passed=tuple(passed),
        ended=tuple(ended),
    )


def _pending_invitations(services: Services, *, team_id: str, person_id: int) -> list[int]:
    with services.database.reading() as session:
        return [
            i.id
            for i in invitations.pending_for_person(session, team_id=team_id, person_id=person_id)
            if i.id is not None
        ]
