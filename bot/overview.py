"""`/mentoring me`: a person's open requests, offer, invitations and relationships."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import pool, service_levels
from bot.services import Services
from storage import invitations, people, relationships, requests


@dataclass(frozen=True)
class RequestLine:
    request_id: int
    kind: str
    status: str
    created_at: datetime
    waited: int = 0
    """Whole working days it has waited, in the requester's zone."""
    escalated: bool = False
    """Past its service level: the coordinators were asked to help."""


@dataclass(frozen=True)
class RelationshipLine:
    relationship_id: int
    kind: str
    role: str
    partners: tuple[str, ...]
    partner_names: tuple[str, ...]
    started_at: datetime


@dataclass(frozen=True)
class Overview:
    requests: tuple[RequestLine, ...]
    offer: pool.OfferState | None
    invitations_waiting: int
    relationships: tuple[RelationshipLine, ...]

    @property
    def empty(self) -> bool:
        return not (self.requests or self.offer or self.invitations_waiting or self.relationships)


def for_person(services: Services, *, team_id: str, user_id: str) -> Overview:
    now = services.now()
    with services.database.reading() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        if person is None or person.id is None:
            return Overview((), None, 0, ())
        open_requests = tuple(
            RequestLine(
                request_id=r.id or 0,
                kind=r.kind_chosen or r.kind_asked,
                status=r.status,
                created_at=r.created_at,
                waited=service_levels.age(
                    r.created_at, now, person.tz, services.settings.mentorbot_default_timezone
                ),
                escalated=r.escalated_at is not None,
            )
            for r in requests.open_for_person(session, team_id=team_id, person_id=person.id)
        )
        lines = []
        for relationship, role in relationships.for_person(
            session, team_id=team_id, person_id=person.id
        ):
            assert relationship.id is not None
            others = [
                other
                for other, _ in relationships.members(session, relationship_id=relationship.id)
                if other.id != person.id
            ]
            lines.append(
                RelationshipLine(
                    relationship_id=relationship.id,
                    kind=relationship.kind,
                    role=role,
                    partners=tuple(o.slack_user_id for o in others),
                    partner_names=tuple(o.display_name or o.slack_user_id for o in others),
                    started_at=relationship.started_at,
                )
            )
        waiting = len(invitations.pending_for_person(session, team_id=team_id, person_id=person.id))
        person_id = person.id
    return Overview(
        requests=open_requests,
        offer=pool.current(services, team_id=team_id, person_id=person_id),
        invitations_waiting=waiting,
        relationships=tuple(lines),
    )
