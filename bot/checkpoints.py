"""Checkpoints after the agreement is active: listing, adding, moving and removing them.

Either person may change them; a new time is placed on the chosen day inside everyone's
working hours where possible (the learner's first), never on a weekend.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot import contracting, schedule
from bot.contracting import CheckpointView, Draft
from bot.errors import NotFound
from bot.forms import FormErrors
from bot.services import Services
from bot.text import clean_input
from bot.workdays import zone
from storage import checkpoints, people, relationships
from storage.models import Checkpoint

MAX_DAYS_AHEAD = 366


def plans_for(
    services: Services, *, team_id: str, user_id: str
) -> list[tuple[Draft, list[CheckpointView]]]:
    """The person's active relationships with their newest agreement and coming checkpoints."""
    with services.database.reading() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        if person is None or person.id is None:
            return []
        ids = [
            r.id or 0
            for r, _ in relationships.for_person(session, team_id=team_id, person_id=person.id)
        ]
    result = []
    for relationship_id in ids:
        draft = contracting.view(
            services, team_id=team_id, user_id=user_id, relationship_id=relationship_id
        )
        result.append((draft, upcoming(services, relationship_id=relationship_id)))
    return result


def upcoming(services: Services, *, relationship_id: int) -> list[CheckpointView]:
    with services.database.reading() as session:
        found = checkpoints.upcoming(session, relationship_id=relationship_id, after=services.now())
        return [_view(c) for c in found]


def add(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    relationship_id: int,
    day: str | None,
    title: str | None,
) -> CheckpointView:
    draft = contracting.view(
        services, team_id=team_id, user_id=user_id, relationship_id=relationship_id
    )
    when = _when(services, draft, day)
    label = clean_input(title or "")[:120] or "Checkpoint"
    with services.database.transaction() as session:
        made = checkpoints.add(
            session,
            Checkpoint(
                team_id=team_id,
                relationship_id=relationship_id,
                agreement_id=draft.agreement_id,
                title=label,
                reason="added",
                due_at=when,
                created_at=services.now(),
            ),
        )
        return _view(made)


def move(
    services: Services, *, team_id: str, user_id: str, checkpoint_id: int, day: str | None
) -> CheckpointView:
    with services.database.transaction() as session:
        checkpoint = _scheduled(session, team_id, checkpoint_id)
        relationship_id = checkpoint.relationship_id
    draft = contracting.view(
        services, team_id=team_id, user_id=user_id, relationship_id=relationship_id
    )
    when = _when(services, draft, day)
    with services.database.transaction() as session:
        checkpoint = _scheduled(session, team_id, checkpoint_id)
        checkpoint.due_at = when
        session.add(checkpoint)
        return _view(checkpoint)


def remove(services: Services, *, team_id: str, user_id: str, checkpoint_id: int) -> CheckpointView:
    with services.database.transaction() as session:
        checkpoint = _scheduled(session, team_id, checkpoint_id)
        relationship_id = checkpoint.relationship_id
    contracting.view(services, team_id=team_id, user_id=user_id, relationship_id=relationship_id)
    with services.database.transaction() as session:
        checkpoint = _scheduled(session, team_id, checkpoint_id)
        checkpoint.status = "cancelled"
        session.add(checkpoint)
        return _view(checkpoint)


def _scheduled(session: Session, team_id: str, checkpoint_id: int) -> Checkpoint:
    checkpoint = checkpoints.get(session, team_id=team_id, checkpoint_id=checkpoint_id)
    if checkpoint is None or checkpoint.status != "scheduled":
        raise NotFound("That checkpoint is no longer scheduled.")
    return checkpoint


def _when(services: Services, draft: Draft, day: str | None) -> datetime:
    learners = [p.tz for p in draft.learners] + [draft.guide.tz]
    today = services.now().astimezone(zone(learners[0])).date()
    try:
        chosen = date.fromisoformat(day or "")
    except ValueError:
        raise FormErrors({"day": "Please pick a date from the calendar."}) from None
    if chosen <= today:
        raise FormErrors({"day": "Please pick a day after today."})
    if chosen > today + timedelta(days=MAX_DAYS_AHEAD):
        raise FormErrors({"day": "Please pick a day within the next year."})
    if chosen.weekday() >= 5:
        raise FormErrors({"day": "Checkpoints fall on working days: please pick a weekday."})
    return schedule.meeting_time(chosen, learners)


def _view(checkpoint: Checkpoint) -> CheckpointView:
    return CheckpointView(
        checkpoint_id=checkpoint.id or 0,
        title=checkpoint.title,
        due_at=checkpoint.due_at,
        status=checkpoint.status,
    )
