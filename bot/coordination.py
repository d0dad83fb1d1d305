"""The coordinators' queue: requests nobody in the pool could take, and matches made by hand."""

from __future__ import annotations

from dataclasses import dataclass

from bot import requesting, visibility
from bot.people import Known
from bot.roles import require_coordinator
from bot.services import Services
from storage import audit, requests


@dataclass(frozen=True)
class QueueCard:
    """What coordinators see of a waiting request: metadata and the summary the requester chose
    to share, never the need they typed."""

    request_id: int
    kind: str
    requester_slack_id: str
    summary: str
    format: str
    time_commitment: str


def queue_card(card: requesting.RequestCard) -> QueueCard:
    visibility.place("queue")
    shared = visibility.may_see(
        visibility.Audience.COORDINATORS, "request_summary", shared=bool(card.summary)
    )
    return QueueCard(
        request_id=card.request_id,
        kind=card.kind.value,
        requester_slack_id=card.requester_slack_id,
        summary=card.summary if shared else "",
        format=card.format,
        time_commitment=card.time_commitment,
    )


def mark_notified(services: Services, *, team_id: str, request_id: int) -> bool:
    """Record that coordinators were told; False if they had been already (tell them once)."""
    with services.database.transaction() as session:
        request = requests.get_for_update(session, team_id=team_id, request_id=request_id)
        if request is None or request.coordinator_notified_at is not None:
            return False
        request.coordinator_notified_at = services.now()
        session.add(request)
        return True


def assign_by_hand(
    services: Services, *, team_id: str, coordinator: str, request_id: int, volunteer: Known
) -> requesting.Invited:
    """A coordinator asks a person to take a request on; the person still has to accept."""
    require_coordinator(
        services,
        team_id=team_id,
        user_id=coordinator,
        action="assign",
        subject=f"request:{request_id}",
    )
    invited = requesting.ask(
        services,
        team_id=team_id,
        user_id=coordinator,
        request_id=request_id,
        volunteer_person_id=volunteer.id,
        assigned_by=coordinator,
    )
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=coordinator,
            action="assign.by_hand",
            at=services.now(),
            subject=f"request:{request_id}",
            detail={"invitation_id": invited.invitation_id, "volunteer": volunteer.slack_user_id},
        )
    return invited
