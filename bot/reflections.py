"""Reflections: short private notes on what a person is learning.

A reflection belongs to its author. They may share it with their partner, and separately let
its 1-5 usefulness rating count in program reports as a number; the text never leaves the pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import prompts
from bot import visibility
from bot.errors import NotAllowed, NotFound
from bot.forms import FormErrors
from bot.services import Services
from bot.text import clean_input
from storage import people, relationships
from storage.models import Reflection

LEARNED_MAX = 500
NEXT_MAX = 300


@dataclass(frozen=True)
class Saved:
    reflection_id: int
    shared_with: tuple[str, ...]


def question(services: Services, *, team_id: str, user_id: str) -> str:
    """A rotating question, so the prompt stays fresh from one reflection to the next."""
    questions = [q for q in prompts.source("reflection_questions").splitlines() if q.strip()]
    with services.database.reading() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        count = (
            0
            if person is None or person.id is None
            else people.reflection_count(session, person_id=person.id)
        )
    return questions[count % len(questions)]


def save(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    relationship_id: int | None,
    checkpoint_id: int | None,
    learned: str | None,
    next_step: str | None,
    usefulness: str | None,
    share_with_partner: bool,
    count_in_reports: bool,
) -> Saved:
    errors: dict[str, str] = {}
    learned_text = clean_input(learned or "")
    next_text = clean_input(next_step or "")
    if not learned_text:
        errors["learned"] = "Please write a line about what you learned or tried."
    elif len(learned_text) > LEARNED_MAX:
        errors["learned"] = f"Please keep this under {LEARNED_MAX} characters."
    if len(next_text) > NEXT_MAX:
        errors["next_step"] = f"Please keep this under {NEXT_MAX} characters."
    rating = None
    if usefulness:
        if usefulness not in {"1", "2", "3", "4", "5"}:
            errors["usefulness"] = "Please pick a number from 1 to 5."
        else:
            rating = int(usefulness)
    if errors:
        raise FormErrors(errors)
    with services.database.transaction() as session:
        author = people.seen(session, team_id=team_id, slack_user_id=user_id, at=services.now())
        partners: tuple[str, ...] = ()
        if relationship_id:
            relationship = relationships.get(
                session, team_id=team_id, relationship_id=relationship_id
            )
            if relationship is None:
                raise NotFound("I can't find that relationship.")
            members = relationships.members(session, relationship_id=relationship_id)
            if author.id not in {p.id for p, _ in members}:
                raise NotAllowed("You can only reflect on your own relationships.")
            partners = tuple(p.slack_user_id for p, _ in members if p.id != author.id)
            relationships.touch(session, relationship_id=relationship_id, at=services.now())
        assert author.id is not None
        reflection = Reflection(
            team_id=team_id,
            relationship_id=relationship_id or None,
            author_id=author.id,
            checkpoint_id=checkpoint_id or None,
            learned=learned_text,
            next_step=next_text,
            usefulness=rating,
            shared_with_partner=share_with_partner and bool(partners),
            counts_in_reports=count_in_reports,
            created_at=services.now(),
        )
        session.add(reflection)
        session.flush()
        assert reflection.id is not None
        return Saved(
            reflection_id=reflection.id,
            shared_with=partners
            if visibility.may_see(
                visibility.Audience.PARTNER, "reflections", shared=reflection.shared_with_partner
            )
            else (),
        )
