"""The volunteer pool: people offering to mentor, coach, or both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import NotAllowed, NotFound, StaleAction
from bot.forms import OfferForm
from bot.people import Known
from bot.services import Services
from storage import exclusions, offers, people
from storage.models import Offer

STATUS_CHANGES = {"pause": "paused", "resume": "active", "withdraw": "withdrawn"}
AVOID_MAX = 50


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


# -- people a volunteer should not be paired with (private to the volunteer) -----------------


def avoid(
    services: Services, volunteer: Known, *, team_id: str, user_ids: Sequence[str]
) -> tuple[str, ...]:
    """Never pair the volunteer with these people; returns the whole list (Slack ids)."""
    others = [u for u in dict.fromkeys(user_ids) if u != volunteer.slack_user_id]
    if not others:
        raise NotFound("Mention the people to leave out, e.g. `/mentoring offer avoid @name`.")
    now = services.now()
    with services.database.transaction() as session:
        current = exclusions.listed_by(session, person_id=volunteer.id)
        known = {p.slack_user_id for p in current}
        if len(known | set(others)) > AVOID_MAX:
            raise NotAllowed(f"Your list can hold up to {AVOID_MAX} people.")
        avoided = [
            people.seen(session, team_id=team_id, slack_user_id=user_id, at=now).id or 0
            for user_id in others
        ]
        exclusions.add(
            session, team_id=team_id, person_id=volunteer.id, avoided_ids=avoided, at=now
        )
        return tuple(p.slack_user_id for p in exclusions.listed_by(session, person_id=volunteer.id))


def allow(
    services: Services, volunteer: Known, *, team_id: str, user_ids: Sequence[str]
) -> tuple[str, ...]:
    """Take people off the volunteer's list; returns what remains (Slack ids)."""
    if not user_ids:
        raise NotFound("Mention who to take off your list, e.g. `/mentoring offer allow @name`.")
    with services.database.transaction() as session:
        listed = exclusions.listed_by(session, person_id=volunteer.id)
        chosen = [p.id or 0 for p in listed if p.slack_user_id in set(user_ids)]
        if not chosen:
            raise StaleAction("Nobody you mentioned is on your list.")
        exclusions.remove(session, person_id=volunteer.id, avoided_ids=chosen)
        return tuple(p.slack_user_id for p in exclusions.listed_by(session, person_id=volunteer.id))


def avoided(services: Services, *, team_id: str, person_id: int) -> tuple[str, ...]:
    with services.database.reading() as session:
        return tuple(
            p.slack_user_id
            for p in exclusions.listed_by(session, person_id=person_id)
            if p.team_id == team_id
        )
