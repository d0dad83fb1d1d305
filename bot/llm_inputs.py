"""What the LLM uses are given, read from storage, and the checks that keep a late answer from
overwriting something newer. Reads only; every query is an existing one in storage/.

Private text (a person's own reflections, what a learner shared with their mentor) is only read
when the workspace opted in (`Assistant.may_read_private`); `bot.llm` drops it again otherwise.
"""

from __future__ import annotations

from bot import agreement_terms
from bot.services import Services
from storage import agreements, people, reflections, relationships, requests

RECENT_NOTES = 3
NOTES_LOOKED_AT = 20


def request_at_triage(services: Services, *, team_id: str, request_id: int) -> bool:
    """True while the requester has not yet chosen a coach or a mentor for this request."""
    with services.database.reading() as session:
        request = requests.get(session, team_id=team_id, request_id=request_id)
        return request is not None and request.status == "open" and request.kind_chosen is None


def reflection_count(services: Services, *, team_id: str, user_id: str) -> int:
    """How many reflections the person has written (a new one means a modal was submitted)."""
    with services.database.reading() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        if person is None or person.id is None:
            return 0
        return people.reflection_count(session, person_id=person.id)


def plan_goals(
    services: Services, *, team_id: str, user_id: str, relationship_id: int
) -> tuple[str, ...]:
    """The goal titles of the relationship's latest agreement, if `user_id` is in it."""
    with services.database.reading() as session:
        if relationships.get(session, team_id=team_id, relationship_id=relationship_id) is None:
            return ()
        members = relationships.members(session, relationship_id=relationship_id)
        if user_id not in {person.slack_user_id for person, _ in members}:
            return ()
        latest = agreements.latest(session, relationship_id=relationship_id)
        plan = (latest.terms.get("plan") or {}) if latest else {}
        return tuple(goal for goal, _, _ in agreement_terms.plan_rows(plan))


def own_recent_notes(services: Services, *, team_id: str, user_id: str) -> tuple[str, ...]:
    """The person's own latest reflections (private text): empty unless the LLM may read it."""
    if not services.llm.may_read_private:
        return ()
    with services.database.reading() as session:
        person = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        if person is None or person.id is None:
            return ()
        found = reflections.recent_by_author(session, person_id=person.id, limit=RECENT_NOTES)
        return tuple(_note(r.learned, r.next_step) for r in found)


def shared_notes(services: Services, *, team_id: str, relationship_id: int) -> tuple[str, ...]:
    """What the learners of a relationship shared with their mentor or coach (still private to
    the pair): empty unless the LLM may read it."""
    if not services.llm.may_read_private:
        return ()
    with services.database.reading() as session:
        if relationships.get(session, team_id=team_id, relationship_id=relationship_id) is None:
            return ()
        notes: list[str] = []
        for person, role in relationships.members(session, relationship_id=relationship_id):
            if role == "guide" or person.id is None:
                continue
            for reflection in reflections.recent_by_author(
                session, person_id=person.id, limit=NOTES_LOOKED_AT
            ):
                if reflection.relationship_id == relationship_id and reflection.shared_with_partner:
                    notes.append(_note(reflection.learned, reflection.next_step))
        return tuple(notes[:RECENT_NOTES])


def _note(learned: str, next_step: str) -> str:
    return f"{learned} Next: {next_step}" if next_step else learned
