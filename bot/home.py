"""What a person's App Home shows: their own view of the program, and nobody else's secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import agreement_terms, health, overview, pool, risk, visibility
from bot.dm_gate import Standing
from bot.services import Services
from storage import agreements, appreciations, checkpoints, people
from storage import reflections as reflection_rows

RECENT = 3


@dataclass(frozen=True)
class RelationshipCard:
    relationship_id: int
    kind: str
    role: str
    partners: tuple[str, ...]
    agreement: str  # none | draft | proposed | active
    next_checkpoint: datetime | None
    next_title: str
    goals: tuple[tuple[str, str], ...]  # (goal, state)
    agreed: tuple[str, ...] = ()  # what the agreement says the learner's manager may hear
    health: int | None = None
    """0-100, from what this person may see (see bot.health)."""
    health_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Home:
    name: str
    relationships: tuple[RelationshipCard, ...]
    requests: tuple[overview.RequestLine, ...]
    offer: pool.OfferState | None
    invitations_waiting: int
    reflections: tuple[tuple[datetime, str], ...]
    thanks_received: int
    recent_thanks: tuple[tuple[str, str], ...]  # (sender slack id, message)
    muted: bool
    privacy: tuple[visibility.LedgerLine, ...] = ()
    messages: Standing | None = None


def for_person(services: Services, *, team_id: str, user_id: str) -> Home:
    visibility.place("home")
    mine = overview.for_person(services, team_id=team_id, user_id=user_id)
    now = services.now()
    messages = mine.messages
    with services.database.reading() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        if person is None or person.id is None:
            return Home("", (), (), None, 0, (), 0, (), False)
        scores = health.for_relationships(
            session,
            relationship_ids=[line.relationship_id for line in mine.relationships],
            now=now,
            policy=health.Policy(
                risk=risk.Policy(silent_weeks=services.settings.mentorbot_silent_weeks)
            ),
            viewer=person.id,
        )
        cards = tuple(
            _card(session, line, now, scores.get(line.relationship_id))
            for line in mine.relationships
        )
        learner = any(card.role != "guide" for card in cards) or not (cards or mine.offer)
        agreed = sorted({label for card in cards if card.role != "guide" for label in card.agreed})
        return Home(
            name=person.display_name,
            relationships=cards,
            requests=mine.requests,
            offer=mine.offer,
            invitations_waiting=mine.invitations_waiting,
            reflections=tuple(
                (r.created_at, r.learned)
                for r in reflection_rows.recent_by_author(
                    session, person_id=person.id, limit=RECENT
                )
            ),
            thanks_received=appreciations.received_count(session, person_id=person.id),
            recent_thanks=tuple(
                (sender.slack_user_id, thanks.message)
                for thanks, sender in appreciations.recent_received(
                    session, person_id=person.id, limit=RECENT
                )
            ),
            muted=person.nudges_muted,
            privacy=visibility.ledger(
                visibility.LEARNER if learner else visibility.GUIDE, manager_agreed=agreed
            ),
            messages=messages,
        )


def _card(
    session: Session,
    line: overview.RelationshipLine,
    now: datetime,
    scored: health.Health | None,
) -> RelationshipCard:
    latest = agreements.latest(session, relationship_id=line.relationship_id)
    upcoming = checkpoints.upcoming(
        session, relationship_id=line.relationship_id, after=now, limit=1
    )
    goals: tuple[tuple[str, str], ...] = ()
    if latest is not None and latest.id is not None:
        goals = tuple(
            (item.title, item.state)
            for item in agreements.plan_items(session, agreement_id=latest.id)
            if item.item_type == "goal"
        )
    return RelationshipCard(
        relationship_id=line.relationship_id,
        kind=line.kind,
        role=line.role,
        partners=line.partners,
        agreement=latest.status if latest else "none",
        next_checkpoint=upcoming[0].due_at if upcoming else None,
        next_title=upcoming[0].title if upcoming else "",
        goals=goals[: agreement_terms.PLAN_ROWS],
        agreed=tuple(
            agreement_terms.labels_of(
                "confidentiality",
                "manager_sees",
                ((latest.terms if latest else {}).get("confidentiality") or {}).get("manager_sees")
                or [],
            )
        ),
        health=scored.score if scored else None,
        health_reasons=scored.top_reasons(3) if scored else (),
    )
