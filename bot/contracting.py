"""The contracting conversation: a versioned agreement both people fill in, then confirm.

Each step is saved as it is submitted. A version becomes `proposed` when every step is filled
in, and `active` only when everyone in the relationship has confirmed it; then its checkpoints
are created. Changing an active agreement starts a new version (the old one stays readable and
active until the new one is confirmed); changing a proposed one clears its confirmations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot import agreement_terms, schedule
from bot.errors import NotAllowed, NotFound, StaleAction
from bot.forms import FormErrors
from bot.services import Services
from bot.workdays import zone
from storage import agreements, checkpoints, relationships
from storage.models import Agreement, Checkpoint, Person, Relationship

EDITABLE = ("draft", "proposed")


@dataclass(frozen=True)
class Party:
    person_id: int
    slack_user_id: str
    role: str
    tz: str


@dataclass(frozen=True)
class Draft:
    """An agreement version as the people in it see it."""

    relationship_id: int
    kind: str
    parties: tuple[Party, ...]
    channel_id: str | None
    agreement_id: int | None
    version: int
    status: str
    terms: dict[str, Any]
    confirmed: frozenset[str]
    next_step: str | None

    @property
    def guide(self) -> Party:
        return next(p for p in self.parties if p.role == "guide")

    @property
    def learners(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role != "guide")

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(p.slack_user_id for p in self.parties if p.slack_user_id not in self.confirmed)


@dataclass(frozen=True)
class CheckpointView:
    checkpoint_id: int
    title: str
    due_at: datetime
    status: str


@dataclass(frozen=True)
class Confirmation:
    draft: Draft
    activated: bool
    checkpoints: tuple[CheckpointView, ...]


def view(services: Services, *, team_id: str, user_id: str, relationship_id: int) -> Draft:
    """The version to show and edit: the newest one, whatever its status."""
    with services.database.reading() as session:
        relationship, _ = _membership(session, team_id, user_id, relationship_id)
        return _draft(
            session, relationship, agreements.latest(session, relationship_id=relationship_id)
        )


def remember_channel(
    services: Services, *, team_id: str, relationship_id: int, channel_id: str
) -> None:
    with services.database.transaction() as session:
        relationship = relationships.get(session, team_id=team_id, relationship_id=relationship_id)
        if relationship is not None:
            relationship.channel_id = channel_id
            session.add(relationship)


def kickoff(services: Services, *, team_id: str, relationship_id: int) -> Draft:
    with services.database.reading() as session:
        relationship = relationships.get(session, team_id=team_id, relationship_id=relationship_id)
        if relationship is None:
            raise NotFound("I can't find that relationship.")
        return _draft(session, relationship, None)


def save_step(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    relationship_id: int,
    step: str,
    raw: Mapping[str, Any],
) -> Draft:
    """Validate and store one step; FormErrors lists what to fix, field by field."""
    if step not in agreement_terms.STEP_BY_NAME:
        raise NotFound("That step of the agreement does not exist.")
    now = services.now()
    with services.database.transaction() as session:
        relationship, _ = _membership(session, team_id, user_id, relationship_id)
        if not agreement_terms.STEP_BY_NAME[step].applies_to(relationship.kind):
            raise NotFound("That step does not apply to this relationship.")
        agreement = _editable(session, relationship, now)
        today = now.astimezone(zone(_learner_zone(session, relationship))).date()
        values = agreement_terms.parse_step(step, raw, today=today, terms=agreement.terms)
        terms = {**agreement.terms, step: values}
        if step == "schedule":
            _check_rhythm(terms, today)
        agreement.terms = terms
        agreement.updated_at = now
        if step == "plan":
            _store_plan_items(session, agreement, values)
        if agreement.status == "proposed":
            agreements.clear_confirmations(session, agreement_id=agreement.id or 0)
        if agreement_terms.complete(relationship.kind, terms):
            agreement.status = "proposed"
            agreement.proposed_at = now
        session.add(agreement)
        session.flush()
        return replace(
            _draft(session, relationship, agreement),
            next_step=agreement_terms.next_step(relationship.kind, terms, after=step),
        )


def remember_summary(
    services: Services, *, team_id: str, agreement_id: int, channel: str, ts: str
) -> tuple[str, str] | None:
    """Keep where the summary to confirm is; returns the one it replaces, if any."""
    with services.database.transaction() as session:
        agreement = agreements.get(session, team_id=team_id, agreement_id=agreement_id)
        if agreement is None:
            return None
        previous = (agreement.summary_channel, agreement.summary_ts)
        agreement.summary_channel = channel
        agreement.summary_ts = ts
        session.add(agreement)
    if previous[0] is None or previous[1] is None:
        return None
    return previous[0], previous[1]


def confirm(services: Services, *, team_id: str, user_id: str, agreement_id: int) -> Confirmation:
    now = services.now()
    with services.database.transaction() as session:
        agreement = agreements.get(session, team_id=team_id, agreement_id=agreement_id)
        if agreement is None:
            raise NotFound("I can't find that agreement.")
        relationship, person = _membership(session, team_id, user_id, agreement.relationship_id)
        latest = agreements.latest(session, relationship_id=relationship.id or 0)
        if latest is not None and latest.version != agreement.version:
            raise StaleAction(
                f"This is version {agreement.version}; a newer one (version "
                f"{latest.version}) replaced it. Use the newest summary."
            )
        if agreement.status == "active":
            raise StaleAction("This agreement is already active. Thank you!")
        if agreement.status != "proposed":
            raise StaleAction("This agreement is still being filled in.")
        assert person.id is not None
        agreements.confirm(session, agreement, person_id=person.id, at=now)
        members = {
            p.id for p, _ in relationships.members(session, relationship_id=relationship.id or 0)
        }
        created: tuple[CheckpointView, ...] = ()
        activated = agreements.confirmed_by(session, agreement_id=agreement_id) >= members
        if activated:
            created = _activate(session, relationship, agreement, now)
        return Confirmation(
            draft=_draft(session, relationship, agreement), activated=activated, checkpoints=created
        )


def _activate(
    session: Session, relationship: Relationship, agreement: Agreement, now: datetime
) -> tuple[CheckpointView, ...]:
    previous = agreements.active(session, relationship_id=relationship.id or 0)
    if previous is not None:
        previous.status = "superseded"
        session.add(previous)
        session.flush()
    agreement.status = "active"
    agreement.activated_at = now
    session.add(agreement)
    checkpoints.cancel_scheduled_after(session, relationship_id=relationship.id or 0, after=now)
    made = []
    for slot in _slots(session, relationship, agreement.terms, now):
        made.append(
            checkpoints.add(
                session,
                Checkpoint(
                    team_id=relationship.team_id,
                    relationship_id=relationship.id or 0,
                    agreement_id=agreement.id,
                    title=slot.label,
                    reason=slot.reason,
                    due_at=slot.at,
                    created_at=now,
                ),
            )
        )
    return tuple(_checkpoint_view(c) for c in made)


def _slots(
    session: Session, relationship: Relationship, terms: Mapping[str, Any], now: datetime
) -> list[schedule.Slot]:
    zones = _zones(session, relationship)
    today = now.astimezone(zone(zones[0])).date()
    return schedule.checkpoints(_rhythm(terms, today), zones, _deliverables(terms))


def _rhythm(terms: Mapping[str, Any], today: date) -> schedule.Rhythm:
    """The first session falls one cadence after the agreement starts."""
    plan = terms["schedule"]
    cadence = int(plan["cadence_days"])
    return schedule.Rhythm(
        start=today + timedelta(days=cadence),
        end=datetime.fromisoformat(plan["end_date"]).date(),
        cadence_days=cadence,
        review_every=int(plan["review_every"]),
        preferred_weekdays=frozenset(int(d) for d in plan.get("preferred_days", [])),
        session_minutes=int(plan["session_minutes"]),
    )


def _deliverables(terms: Mapping[str, Any]) -> list[tuple[str, Any]]:
    rows = agreement_terms.plan_rows(terms.get("plan") or {})
    return [(deliverable or goal, due) for goal, deliverable, due in rows if due is not None]


def _check_rhythm(terms: Mapping[str, Any], today: date) -> None:
    try:
        schedule.checkpoints(_rhythm(terms, today), ["UTC"], _deliverables(terms))
    except ValueError as problem:
        too_many = "too many" in str(problem).lower() or "more than" in str(problem).lower()
        message = (
            "That makes too many checkpoints: pick an earlier date or meet less often."
            if too_many
            else "Please pick a later review date, with at least one working day before it."
        )
        raise FormErrors({"end_date": message}) from None


def _store_plan_items(session: Session, agreement: Agreement, plan: Mapping[str, Any]) -> None:
    items: list[tuple[str, str, str, Any]] = []
    for goal, deliverable, due in agreement_terms.plan_rows(plan):
        items.append(("goal", goal, deliverable, due))
    items += [("resource", line, "", None) for line in agreement_terms.resources(plan)]
    items += [("expert", user, "", None) for user in plan.get("experts", [])]
    agreements.replace_plan_items(session, agreement, items)


def _editable(session: Session, relationship: Relationship, now: datetime) -> Agreement:
    latest = agreements.latest(session, relationship_id=relationship.id or 0)
    if latest is not None and latest.status in EDITABLE:
        return latest
    return agreements.add(
        session,
        Agreement(
            team_id=relationship.team_id,
            relationship_id=relationship.id or 0,
            version=(latest.version + 1) if latest else 1,
            status="draft",
            terms=dict(latest.terms) if latest else {},
            created_at=now,
            updated_at=now,
        ),
    )


def _membership(
    session: Session, team_id: str, user_id: str, relationship_id: int
) -> tuple[Relationship, Person]:
    relationship = relationships.get(session, team_id=team_id, relationship_id=relationship_id)
    if relationship is None:
        raise NotFound("I can't find that relationship.")
    for person, _ in relationships.members(session, relationship_id=relationship_id):
        if person.slack_user_id == user_id:
            if relationship.status != "active":
                raise StaleAction("This relationship has ended.")
            return relationship, person
    raise NotAllowed("Only the people in this relationship can see or change its agreement.")


def _parties(session: Session, relationship: Relationship) -> tuple[Party, ...]:
    default = "UTC"
    return tuple(
        Party(
            person_id=person.id or 0,
            slack_user_id=person.slack_user_id,
            role=role,
            tz=person.tz or default,
        )
        for person, role in relationships.members(session, relationship_id=relationship.id or 0)
    )


def _zones(session: Session, relationship: Relationship) -> list[str]:
    """Learners' zones first (checkpoints are placed in the learner's day), then the guide's."""
    parties = _parties(session, relationship)
    ordered = [p for p in parties if p.role != "guide"] + [p for p in parties if p.role == "guide"]
    return [p.tz for p in ordered]


def _learner_zone(session: Session, relationship: Relationship) -> str:
    return _zones(session, relationship)[0]


def _draft(session: Session, relationship: Relationship, agreement: Agreement | None) -> Draft:
    confirmed: frozenset[str] = frozenset()
    parties = _parties(session, relationship)
    if agreement is not None and agreement.id is not None:
        ids = agreements.confirmed_by(session, agreement_id=agreement.id)
        confirmed = frozenset(p.slack_user_id for p in parties if p.person_id in ids)
    terms = dict(agreement.terms) if agreement else {}
    return Draft(
        relationship_id=relationship.id or 0,
        kind=relationship.kind,
        parties=parties,
        channel_id=relationship.channel_id,
        agreement_id=agreement.id if agreement else None,
        version=agreement.version if agreement else 1,
        status=agreement.status if agreement else "draft",
        terms=terms,
        confirmed=confirmed,
        next_step=agreement_terms.next_step(relationship.kind, terms),
    )


def _checkpoint_view(checkpoint: Checkpoint) -> CheckpointView:
    return CheckpointView(
        checkpoint_id=checkpoint.id or 0,
        title=checkpoint.title,
        due_at=checkpoint.due_at,
        status=checkpoint.status,
    )
