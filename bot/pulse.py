"""Pulse surveys: every few months both sides of each active relationship are asked two short
questions: is it going as planned (1-5), and any suggestion for the program. The survey says
the answers go to the coordinators, who see the numbers per relationship and the suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import visibility
from bot.errors import NotAllowed, NotFound
from bot.forms import FormErrors
from bot.roles import require_coordinator
from bot.services import Services
from bot.text import clean_input
from bot.workdays import working_moment, zone
from storage import audit, nudges, people, relationships
from storage import program_status as status_queries
from storage import pulse as answers

SUGGESTION_MAX = 500
MIN_AGE = timedelta(days=14)


def period_of(moment: datetime, months: int) -> str:
    """The survey period a moment falls in, e.g. "2026-P4" for every third month."""
    index = (moment.month - 1) // months + 1
    return f"{moment.year}-P{index}"


def plan(services: Services, *, now: datetime) -> int:
    """Owe each member of each active relationship (older than two weeks) one survey per period."""
    period = period_of(now, services.settings.mentorbot_pulse_months)
    added = 0
    with services.database.transaction() as session:
        old_enough = [r for r in relationships.active(session) if now - r.started_at >= MIN_AGE]
        members = relationships.members_by_relationship(
            session, relationship_ids={r.id or 0 for r in old_enough}
        )
        owed = [
            (relationship, person, f"pulse:{relationship.id}:{person.id}:{period}")
            for relationship in old_enough
            for person in members.get(relationship.id or 0, [])
        ]
        # The surveys sweep runs every hour: only write what this period does not have yet.
        existing = nudges.existing_keys(session, keys=[key for _, _, key in owed])
        for relationship, person, key in owed:
            if key in existing:
                continue
            tz = zone(person.tz, services.settings.mentorbot_default_timezone)
            added += nudges.plan(
                session,
                {
                    "team_id": relationship.team_id,
                    "person_id": person.id,
                    "relationship_id": relationship.id,
                    "kind": "pulse",
                    "send_at": working_moment(now, tz),
                    "reasons": period,
                    "dedupe_key": key,
                },
            )
    return added


def rate(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    relationship_id: int,
    period: str,
    rating: int,
) -> None:
    if not 1 <= rating <= 5:
        raise NotFound("Please pick a number from 1 to 5.")
    with services.database.transaction() as session:
        person_id = _member(session, team_id, user_id, relationship_id)
        answers.rate(
            session,
            team_id=team_id,
            relationship_id=relationship_id,
            person_id=person_id,
            period=period,
            rating=rating,
            at=services.now(),
        )
        relationships.touch(session, relationship_id=relationship_id, at=services.now())


def suggest(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    relationship_id: int,
    period: str,
    suggestion: str | None,
) -> None:
    text = clean_input(suggestion or "")
    if not text:
        raise FormErrors({"suggestion": "Please write a suggestion, or close this window."})
    if len(text) > SUGGESTION_MAX:
        raise FormErrors({"suggestion": f"Please keep it under {SUGGESTION_MAX} characters."})
    with services.database.transaction() as session:
        person_id = _member(session, team_id, user_id, relationship_id)
        answers.suggest(
            session,
            team_id=team_id,
            relationship_id=relationship_id,
            person_id=person_id,
            period=period,
            suggestion=text,
            at=services.now(),
        )


@dataclass(frozen=True)
class PulseLine:
    people: tuple[str, ...]
    average: float | None
    answers: int
    suggestions: tuple[str, ...]


def results(services: Services, *, team_id: str, user_id: str, since: datetime) -> list[PulseLine]:
    """Per relationship: its people, the average rating and the suggestions, for coordinators."""
    require_coordinator(services, team_id=team_id, user_id=user_id, action="pulse")
    visibility.place("pulse")
    with services.database.reading() as session:
        found = answers.since(session, team_id=team_id, moment=since)
        members = status_queries.members_of(
            session, relationship_ids=sorted({a.relationship_id for a in found})
        )
    grouped: dict[int, list[tuple[int | None, str]]] = {}
    for answer in found:
        grouped.setdefault(answer.relationship_id, []).append((answer.rating, answer.suggestion))
    lines = []
    for relationship_id, items in grouped.items():
        ratings = [r for r, _ in items if r is not None]
        lines.append(
            PulseLine(
                people=tuple(members.get(relationship_id, [])),
                average=sum(ratings) / len(ratings) if ratings else None,
                answers=len(ratings),
                suggestions=tuple(s for _, s in items if s),
            )
        )
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action="view.pulse",
            at=services.now(),
            detail={"relationships": len(lines)},
        )
    return sorted(lines, key=lambda line: (line.average is None, line.average or 0))


def _member(session: Session, team_id: str, user_id: str, relationship_id: int) -> int:
    person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
    members = relationships.members(session, relationship_id=relationship_id)
    if person is None or person.id is None or person.id not in {p.id for p, _ in members}:
        raise NotAllowed("Only the people in this relationship can answer its survey.")
    return person.id
