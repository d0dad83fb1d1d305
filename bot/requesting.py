"""A request's life: submitted and triaged, a kind chosen, candidates proposed, one asked.

Each step is one transaction that re-reads the request under a lock, so a double click or a
retried payload finds the step already done instead of doing it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import matching, service_levels
from bot.errors import NotAllowed, NotFound, StaleAction
from bot.forms import RequestForm
from bot.people import Known
from bot.services import Services
from bot.text import shorten
from bot.triage import Answers, Recommendation, mismatch_note, triage
from bot.workdays import add_working_days, zone
from storage import exclusions, invitations, offers, people, relationships, requests
from storage.models import Invitation, Kind, MentoringRequest, Person

FAIRNESS_WINDOW = timedelta(days=90)
CANDIDATES_SHOWN = 3


@dataclass(frozen=True)
class Submitted:
    request_id: int
    kind_asked: Kind
    recommendation: Recommendation
    mismatch: str | None
    answer_by: datetime
    """The request's service level: if nobody has accepted by then, the coordinators step in."""


@dataclass(frozen=True)
class RequestCard:
    """What a volunteer, a requester or a coordinator may see of a request."""

    request_id: int
    team_id: str
    kind: Kind
    requester_slack_id: str
    summary: str
    need: str
    format: str
    time_commitment: str
    created_at: datetime


@dataclass(frozen=True)
class Proposal:
    request_id: int
    kind: Kind
    candidates: tuple[matching.Candidate, ...]
    card: RequestCard

    @property
    def queued(self) -> bool:
        """Nobody eligible: the request goes to the coordinators."""
        return not self.candidates


@dataclass(frozen=True)
class Invited:
    invitation_id: int
    volunteer_slack_id: str
    why: str
    expires_at: datetime
    card: RequestCard


def submit(
    services: Services, requester: Known, *, team_id: str, kind_asked: Kind, form: RequestForm
) -> Submitted:
    recommendation = triage(
        Answers(
            need=form.need, drivers=form.drivers, goal_scope=form.goal_scope, format=form.format
        )
    )
    now = services.now()
    with services.database.transaction() as session:
        person = _person(session, requester.id)
        person.manager_slack_id = form.manager
        session.add(person)
        people.seen(session, team_id=team_id, slack_user_id=form.manager, at=now)
        request = requests.add(
            session,
            MentoringRequest(
                team_id=team_id,
                requester_id=requester.id,
                kind_asked=kind_asked.value,
                kind_recommended=recommendation.kind.value,
                need=form.need,
                summary=form.summary,
                drivers=sorted(driver.value for driver in form.drivers),
                goal_scope=form.goal_scope.value,
                format=form.format.value,
                time_commitment=form.time_commitment.value,
                manager_slack_id=form.manager,
                status="open",
                created_at=now,
                updated_at=now,
            ),
        )
        assert request.id is not None
        request_id = request.id
        answer_by = service_levels.deadline(
            now,
            person.tz,
            services.settings.mentorbot_default_timezone,
            services.settings.mentorbot_request_sla_working_days,
        )
    return Submitted(
        answer_by=answer_by,
        request_id=request_id,
        kind_asked=kind_asked,
        recommendation=recommendation,
        mismatch=mismatch_note(kind_asked, recommendation),
    )


def choose(
    services: Services, *, team_id: str, user_id: str, request_id: int, kind: Kind
) -> Proposal:
    """The requester picked mentor or coach: propose the best eligible volunteers."""
    now = services.now()
    with services.database.transaction() as session:
        request = _own_open_request(session, team_id, user_id, request_id)
        request.kind_chosen = kind.value
        found = candidates(session, request, now=now, limit=CANDIDATES_SHOWN)
        requests.set_status(session, request, "matching" if found else "unmatched", now)
        return Proposal(
            request_id=request_id, kind=kind, candidates=tuple(found), card=card(session, request)
        )


def ask(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    request_id: int,
    volunteer_person_id: int,
    assigned_by: str | None = None,
    why: str | None = None,
) -> Invited:
    """Invite one volunteer. The requester asks; a coordinator may ask on their behalf."""
    now = services.now()
    with services.database.transaction() as session:
        if assigned_by is None:
            request = _own_open_request(session, team_id, user_id, request_id)
        else:
            request = _open_request(session, team_id, request_id)
        pending = [
            i
            for i in invitations.for_request(session, team_id=team_id, request_id=request_id)
            if i.status == "pending"
        ]
        if pending and assigned_by is not None:
            raise StaleAction(
                "Someone was already asked and has not answered yet: try again once they "
                "answer or their time runs out."
            )
        if pending:
            raise StaleAction("You have already asked someone; I'll tell you when they answer.")
        volunteer = session.get(Person, volunteer_person_id)
        if volunteer is None or volunteer.team_id != team_id:
            raise NotFound("I can't find that person any more.")
        seeker = seeker_for(session, request)
        if assigned_by is None:
            pool = {
                c.volunteer.person_id: c for c in candidates(session, request, now=now, limit=None)
            }
            candidate = pool.get(volunteer_person_id)
            if candidate is None:
                raise StaleAction("That person can't take this on any more: pick someone else.")
            why = candidate.why
        else:
            avoids = exclusions.avoids(
                session, person_id=volunteer.id or 0, other_id=seeker.person_id
            )
            problem = _hand_pick_problem(seeker, volunteer, avoids_them=avoids)
            if problem is not None:
                raise NotAllowed(f"{volunteer.display_name or 'That person'} {problem}.")
            why = why or "Suggested by a program coordinator."
        expires = add_working_days(
            now,
            services.settings.mentorbot_invite_working_days,
            zone(volunteer.tz, services.settings.mentorbot_default_timezone),
        )
        invitation = invitations.add(
            session,
            Invitation(
                team_id=team_id,
                request_id=request_id,
                person_id=volunteer_person_id,
                status="pending",
                assigned_by=assigned_by,
                why=shorten(why, 300),
                asked_at=now,
                expires_at=expires,
            ),
        )
        requests.set_status(session, request, "matching", now)
        assert invitation.id is not None
        return Invited(
            invitation_id=invitation.id,
            volunteer_slack_id=volunteer.slack_user_id,
            why=invitation.why,
            expires_at=expires,
            card=card(session, request),
        )


def cancel(services: Services, *, team_id: str, user_id: str, request_id: int) -> list[Invitation]:
    """Cancel the request; returns invitations withdrawn, whose DMs should say so."""
    now = services.now()
    with services.database.transaction() as session:
        request = _own_open_request(session, team_id, user_id, request_id)
        withdrawn = []
        for invitation in invitations.for_request(session, team_id=team_id, request_id=request_id):
            if invitations.answer(session, invitation, status="withdrawn", at=now, reason=None):
                withdrawn.append(invitation)
        requests.set_status(session, request, "cancelled", now)
        return withdrawn


def candidates(
    session: Session, request: MentoringRequest, *, now: datetime, limit: int | None
) -> list[matching.Candidate]:
    found = pool(session, team_id=request.team_id, now=now)
    return matching.rank(
        seeker_for(session, request), found, on=now.date(), limit=limit or len(found) or 1
    )


def pool(session: Session, *, team_id: str, now: datetime) -> list[matching.Volunteer]:
    """Every volunteer with an active offer, with their current load."""
    load = offers.guide_load(session, team_id=team_id, since=now - FAIRNESS_WINDOW)
    avoided = exclusions.by_volunteer(session, team_id=team_id)
    volunteers = []
    for offer, person in offers.active_pool(session, team_id=team_id):
        assert person.id is not None
        active, recent = load.get(person.id, (0, 0))
        volunteers.append(
            matching.Volunteer(
                person_id=person.id,
                slack_user_id=person.slack_user_id,
                display_name=person.display_name or person.slack_user_id,
                as_mentor=offer.as_mentor,
                as_coach=offer.as_coach,
                topics=offer.topics,
                style=offer.style,
                formats=frozenset(offer.formats),
                capacity=offer.capacity,
                active_count=active,
                recent_matches=recent,
                tz=person.tz or "UTC",
                avoids=avoided.get(person.id, frozenset()),
            )
        )
    return volunteers


def card(session: Session, request: MentoringRequest) -> RequestCard:
    requester = _person(session, request.requester_id)
    assert request.id is not None
    return RequestCard(
        request_id=request.id,
        team_id=request.team_id,
        kind=Kind(request.kind_chosen or request.kind_asked),
        requester_slack_id=requester.slack_user_id,
        summary=request.summary,
        need=request.need,
        format=request.format,
        time_commitment=request.time_commitment,
        created_at=request.created_at,
    )


def seeker_for(session: Session, request: MentoringRequest) -> matching.Seeker:
    requester = _person(session, request.requester_id)
    assert requester.id is not None
    managers = people.manager_links(session, team_id=request.team_id)
    chain = matching.manager_chain(
        requester.slack_user_id, managers, first_manager=request.manager_slack_id
    )
    asked = {
        i.person_id
        for i in invitations.for_request(
            session, team_id=request.team_id, request_id=request.id or 0
        )
    }
    partners = relationships.partner_ids(session, team_id=request.team_id, person_id=requester.id)
    return matching.Seeker(
        person_id=requester.id,
        slack_user_id=requester.slack_user_id,
        kind=request.kind_chosen or request.kind_asked,
        need=request.need,
        format=request.format,
        tz=requester.tz or "UTC",
        authority_chain=chain,
        excluded=frozenset(asked | partners),
    )


def _hand_pick_problem(seeker: matching.Seeker, person: Person, *, avoids_them: bool) -> str | None:
    """A coordinator may pick anyone, in the pool or not; only the hard rules still apply."""
    if person.id == seeker.person_id:
        return "is the person asking"
    if avoids_them:
        return matching.NOT_AVAILABLE
    if seeker.kind == Kind.MENTOR and person.slack_user_id in seeker.authority_chain:
        return "is in their line of authority, so cannot be their mentor"
    if person.id in seeker.excluded:
        return "was already asked, or already works with them"
    return None


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("I can't find that person.")
    return person


def _open_request(session: Session, team_id: str, request_id: int) -> MentoringRequest:
    request = requests.get_for_update(session, team_id=team_id, request_id=request_id)
    if request is None:
        raise NotFound("I can't find that request.")
    if request.status not in requests.OPEN_STATUSES:
        raise StaleAction(f"That request is already {request.status}.")
    return request


def _own_open_request(
    session: Session, team_id: str, user_id: str, request_id: int
) -> MentoringRequest:
    request = _open_request(session, team_id, request_id)
    requester = _person(session, request.requester_id)
    if requester.slack_user_id != user_id:
        raise NotAllowed("Only the person who made this request can do that.")
    return request


def remember_invitation_message(
    services: Services, *, team_id: str, invitation_id: int, channel: str, ts: str
) -> None:
    """Keep where the invitation DM is, so its buttons can be replaced once it is answered."""
    with services.database.transaction() as session:
        invitation = invitations.get(session, team_id=team_id, invitation_id=invitation_id)
        if invitation is not None:
            invitations.remember_message(session, invitation, channel=channel, ts=ts)
