"""A person's erasure ("forget me"): in one transaction, every piece of personal text and every
identifier of the person is removed from every table, while the rows that anonymous program
counts need (relationships, checkpoints, reflections, thanks…) are kept: the person's Slack id
becomes a stable anonymous token (`bot.erasure_rules.anonymous_token`), and free text becomes "".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.erasure_rules import (
    anonymous_title,
    anonymous_token,
    blank_plan_item,
    blank_terms,
    without_mention,
)
from bot.services import Services
from storage import audit, checkpoints, coordinators, exclusions, offers, people
from storage import data_rights as rows
from storage.models import Person

FORGOTTEN = "forgotten"


@dataclass(frozen=True)
class Erased:
    """The outcome of a forget-me: `already` when nothing personal was left to erase."""

    already: bool
    token: str
    changed: Mapping[str, int] = field(default_factory=dict)
    withdrawn: tuple[tuple[str, str], ...] = ()
    """(channel, ts) of invitation DMs to volunteers that quoted the person's request and were
    still waiting for an answer: the caller replaces them with a "withdrawn" line."""


def forget(services: Services, *, team_id: str, user_id: str) -> Erased:
    """Erase the person, in one transaction. A second call finds nothing left to erase."""
    erased = _forget(services, team_id=team_id, user_id=user_id)
    services.contacts.forget(team_id, user_id)  # their next command records them afresh
    return erased


def _forget(services: Services, *, team_id: str, user_id: str) -> Erased:
    now = services.now()
    token = anonymous_token(team_id, user_id)
    with services.database.transaction() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        earlier = people.by_slack_id(session, team_id=team_id, slack_user_id=token)
        if person is None or person.id is None:
            changed = _scrub(session, team_id, user_id, token)
            return Erased(already=not changed, token=token, changed=changed)
        if earlier is not None:
            if rows.references_to(session, person_id=person.id) == 0:
                # Erased before, and only re-recorded by using a command since: drop that row.
                session.delete(person)
                session.flush()
                changed = _scrub(session, team_id, user_id, token)
                return Erased(already=True, token=token, changed=changed)
            token = f"{token}-{person.id}"  # they came back and took part again
        waiting = tuple(
            (i.slack_channel, i.slack_ts)
            for i in rows.invitations_on_requests_of(session, team_id=team_id, person_id=person.id)
            if i.status == "pending" and i.slack_channel and i.slack_ts
        )
        changed = _erase(session, person, team_id=team_id, user_id=user_id, token=token, now=now)
        audit.record(
            session,
            team_id=team_id,
            actor=token,
            action="privacy.forget",
            at=now,
            detail={"changed": dict(changed)},
        )
        return Erased(already=False, token=token, changed=changed, withdrawn=waiting)


def _erase(
    session: Session, person: Person, *, team_id: str, user_id: str, token: str, now: datetime
) -> dict[str, int]:
    assert person.id is not None
    me = person.id
    changed: dict[str, int] = {}
    memberships = rows.memberships(session, team_id=team_id, person_id=me)
    relationship_ids = [r.id for r, _ in memberships if r.id is not None]

    person.slack_user_id = token
    person.display_name = ""
    person.tz = None
    person.manager_slack_id = None
    person.erased_at = now
    session.add(person)
    session.flush()

    listed = exclusions.listed_by(session, person_id=me)
    changed["pool_exclusions"] = exclusions.remove(
        session, person_id=me, avoided_ids=[p.id for p in listed if p.id is not None]
    )
    offer = offers.for_person(session, team_id=team_id, person_id=me)
    if offer is not None:
        offer.topics = ""
        offer.availability = ""
        offer.status = "withdrawn"
        offer.updated_at = now
        session.add(offer)

    changed["requests_cancelled"] = rows.close_requests(
        session, team_id=team_id, person_id=me, at=now
    )
    received = rows.invitations_received(session, team_id=team_id, person_id=me)
    for invitation in received:
        invitation.decline_reason = None
        invitation.why = ""  # built from the volunteer's own topics
        invitation.slack_channel = None
        invitation.slack_ts = None
        session.add(invitation)
    on_mine = rows.invitations_on_requests_of(session, team_id=team_id, person_id=me)
    for invitation in on_mine:
        invitation.why = ""  # names the topics the requester's need matched
        session.add(invitation)
    session.flush()
    changed["invitations_withdrawn"] = rows.withdraw_invitations(
        session,
        team_id=team_id,
        invitation_ids=[i.id for i in (*received, *on_mine) if i.id is not None],
        at=now,
    )

    closed = 0
    for relationship, _ in memberships:
        relationship.topic = ""
        if relationship.status == "active":
            relationship.status = "closed"
            relationship.ended_at = now
            relationship.end_reason = FORGOTTEN
            closed += 1
            # every checkpoint still scheduled (all are due after the start) is cancelled
            checkpoints.cancel_scheduled_after(
                session, relationship_id=relationship.id or 0, after=relationship.started_at
            )
        session.add(relationship)
    changed["relationships_closed"] = closed

    versions = rows.agreements_of(session, relationship_ids=relationship_ids)
    for agreement in versions:
        agreement.terms = blank_terms(agreement.terms, user_id=user_id, token=token)
        session.add(agreement)
    for item in rows.plan_items_of(session, agreement_ids=[a.id for a in versions if a.id]):
        blank_plan_item(item, user_id=user_id, token=token)
        session.add(item)
    for checkpoint in rows.checkpoints_of(session, relationship_ids=relationship_ids):
        checkpoint.title = anonymous_title(checkpoint)
        session.add(checkpoint)

    for answer in rows.assessments_by(session, person_id=me):
        answer.note = ""
        session.add(answer)
    for reflection in rows.reflections_by(session, person_id=me):
        reflection.learned = ""
        reflection.next_step = ""
        if not reflection.counts_in_reports:
            reflection.usefulness = None
        session.add(reflection)
    for thanks in rows.appreciations_of(session, person_id=me):
        thanks.message = ""
        session.add(thanks)
    for report in rows.reports_of(session, person_id=me, relationship_ids=relationship_ids):
        report.goals_reached = ["" for _ in report.goals_reached]  # how many, not which
        report.progress = ""
        report.learned = ""
        report.recommendations = ""
        session.add(report)

    for pulse in rows.pulse_responses_by(session, person_id=me):
        pulse.suggestion = ""  # the 1-5 rating stays: it is a count
        session.add(pulse)
    if coordinators.remove(session, team_id=team_id, slack_user_id=user_id):
        changed["coordinator_role_removed"] = 1

    changed["nudges_skipped"] = rows.skip_nudges(session, person_id=me)
    session.flush()
    for name, count in _scrub(session, team_id, user_id, token).items():
        changed[name] = changed.get(name, 0) + count
    return {name: count for name, count in changed.items() if count}


def _scrub(session: Session, team_id: str, user_id: str, token: str) -> dict[str, int]:
    """Remove the Slack id from everywhere it is still stored: managers are forgotten,
    mentions in coordinator alerts become "someone", any other occurrence becomes the token."""
    changed: dict[str, int] = {}
    managers = rows.unlink_manager(session, team_id=team_id, slack_user_id=user_id)
    if managers:
        changed["manager_links_removed"] = managers
    mentioned = 0
    for nudge in rows.nudges_mentioning(session, team_id=team_id, text=f"<@{user_id}"):
        nudge.reasons = without_mention(nudge.reasons, user_id)
        session.add(nudge)
        mentioned += 1
    if mentioned:
        changed["mentions_removed"] = mentioned
    session.flush()
    for table, count in rows.replace_identifier(
        session, team_id=team_id, old=user_id, new=token
    ).items():
        changed[f"{table}_ids_replaced"] = count
    return changed
