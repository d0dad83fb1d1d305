"""The volunteer pool: people offering to mentor, coach, or both."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import NotFound, StaleAction
from bot.forms import OfferForm
from bot.people import Known
from bot.services import Services
from storage import offers
from storage.models import Offer

STATUS_CHANGES = {"pause": "paused", "resume": "active", "withdraw": "withdrawn"}


@dataclass(frozen=True)
class OfferState:
    as_mentor: bool
    as_coach: bool
    topics: str
    style: str
    formats: tuple[str, ...]
    capacity: int
    availability: str
    status: str
    active_count: int

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.active_count, 0)


def save(services: Services, volunteer: Known, *, team_id: str, form: OfferForm) -> OfferState:
    """Create or replace the person's offer; saving again also brings a withdrawn offer back."""
    now = services.now()
    with services.database.transaction() as session:
        offer = offers.for_person(session, team_id=team_id, person_id=volunteer.id) or Offer(
            team_id=team_id, person_id=volunteer.id, created_at=now
        )
        offer.as_mentor = form.as_mentor
        offer.as_coach = form.as_coach
        offer.topics = form.topics
        offer.style = form.style.value
        offer.formats = sorted(f.value for f in form.formats)
        offer.capacity = form.capacity
        offer.availability = form.availability
        offer.status = "active"
        offer.updated_at = now
        offers.save(session, offer)
        return _state(offer, offers.active_count(session, team_id=team_id, person_id=volunteer.id))


def change_status(services: Services, volunteer: Known, *, team_id: str, action: str) -> OfferState:
    """pause | resume | withdraw. Existing relationships carry on; only new matches stop."""
    target = STATUS_CHANGES[action]
    with services.database.transaction() as session:
        offer = offers.for_person(session, team_id=team_id, person_id=volunteer.id)
        if offer is None:
            raise NotFound("You are not in the pool yet: `/mentoring offer` adds you.")
        if offer.status == target:
            raise StaleAction(f"Your offer is already {target}.")
        if offer.status == "withdrawn" and action == "resume":
            raise StaleAction("Your offer was withdrawn: `/mentoring offer` adds you again.")
        offer.status = target
        offer.updated_at = services.now()
        offers.save(session, offer)
        return _state(offer, offers.active_count(session, team_id=team_id, person_id=volunteer.id))


def current(services: Services, *, team_id: str, person_id: int) -> OfferState | None:
    with services.database.reading() as session:
        offer = offers.for_person(session, team_id=team_id, person_id=person_id)
        if offer is None:
            return None
        return _state(offer, offers.active_count(session, team_id=team_id, person_id=person_id))


def _state(offer: Offer, active_count: int) -> OfferState:
    return OfferState(
        as_mentor=offer.as_mentor,
        as_coach=offer.as_coach,
        topics=offer.topics,
        style=offer.style,
        formats=tuple(offer.formats),
        capacity=offer.capacity,
        availability=offer.availability,
        status=offer.status,
        active_count=active_count,
    )
