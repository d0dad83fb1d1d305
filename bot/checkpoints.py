"""Checkpoints after the agreement is active: listing, adding, moving and removing them.

Either person may change them; a new time is placed on the chosen day inside everyone's
working hours where possible (the learner's first), never on a weekend.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot import contracting, schedule, visibility
from bot.contracting import CheckpointView, Draft
from bot.errors import NotAllowed, NotFound
from bot.forms import FormErrors
from bot.services import Services
from bot.text import clean_input
from bot.workdays import zone
from storage import assessments, checkpoints, people, relationships
from storage.models import Checkpoint

MAX_DAYS_AHEAD = 366


def plans_for(
    services: Services, *, team_id: str, user_id: str
) -> list[tuple[Draft, list[CheckpointView]]]:
    """The person's active relationships with their newest agreement and coming checkpoints."""
    visibility.place("plan")
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


PROGRESS = ("on_track", "behind", "blocked")
NOTE_MAX = 150


def mark_done(
    services: Services, *, team_id: str, user_id: str, checkpoint_id: int
) -> CheckpointView:
    """One of the pair says the checkpoint happened."""
    now = services.now()
    with services.database.transaction() as session:
        checkpoint = _own_checkpoint(session, team_id, user_id, checkpoint_id)
        if checkpoint.status == "scheduled":
            checkpoint.status = "done"
            checkpoint.completed_at = now
            session.add(checkpoint)
        relationships.touch(session, relationship_id=checkpoint.relationship_id, at=now)
        return _view(checkpoint)


def assess(
    services: Services, *, team_id: str, user_id: str, checkpoint_id: int, progress: str
) -> CheckpointView:
    """Store how the person says the checkpoint went: on track, behind or blocked."""
    if progress not in PROGRESS:
        raise NotFound("Please answer on track, behind or blocked.")
    now = services.now()
    with services.database.transaction() as session:
        checkpoint = _own_checkpoint(session, team_id, user_id, checkpoint_id)
        if checkpoint.status == "cancelled":
            raise NotFound("That checkpoint was removed.")
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        assert person is not None and person.id is not None
        assessments.record(
            session,
            team_id=team_id,
            checkpoint_id=checkpoint_id,
            person_id=person.id,
            progress=progress,
            at=now,
        )
        if checkpoint.status in ("scheduled", "missed") and checkpoint.due_at <= now:
            checkpoint.status = "done"
            checkpoint.completed_at = now
            session.add(checkpoint)
        relationships.touch(session, relationship_id=checkpoint.relationship_id, at=now)
        return _view(checkpoint)


def add_note(
    services: Services, *, team_id: str, user_id: str, checkpoint_id: int, note: str | None
) -> None:
    text = clean_input(note or "")
    if len(text) > NOTE_MAX:
        raise FormErrors({"note": f"Please keep it to one line (under {NOTE_MAX} characters)."})
    with services.database.transaction() as session:
        _own_checkpoint(session, team_id, user_id, checkpoint_id)
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        assert person is not None and person.id is not None
        if not assessments.add_note(
            session, checkpoint_id=checkpoint_id, person_id=person.id, note=text, at=services.now()
        ):
            raise NotFound("Say how it went first, then add a note.")


def _own_checkpoint(session: Session, team_id: str, user_id: str, checkpoint_id: int) -> Checkpoint:
    checkpoint = checkpoints.get(session, team_id=team_id, checkpoint_id=checkpoint_id)
    if checkpoint is None:
        raise NotFound("I can't find that checkpoint any more.")
    members = relationships.members(session, relationship_id=checkpoint.relationship_id)
    if user_id not in {p.slack_user_id for p, _ in members}:
        raise NotAllowed("Only the people in this relationship can do that.")
    return checkpoint
