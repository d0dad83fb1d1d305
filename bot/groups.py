"""Group coaching: one coach and a cohort of learners with similar needs, one agreement.

Everyone in the group confirms the agreement before it is active, so joining stays voluntary.
"""

from __future__ import annotations

from bot.errors import NotAllowed
from bot.people import Known
from bot.services import Services
from bot.text import clean_input
from storage import relationships
from storage.models import RelationshipKind

MIN_LEARNERS = 2
MAX_LEARNERS = 12
TOPIC_MAX = 200


def start(
    services: Services, *, team_id: str, coach: Known, learners: list[Known], topic: str
) -> int:
    """Create a group-coaching relationship; returns its id for the kick-off."""
    others = [p for p in learners if p.id != coach.id]
    if len({p.id for p in others}) != len(others):
        raise NotAllowed("Each learner can be in the group only once.")
    if not MIN_LEARNERS <= len(others) <= MAX_LEARNERS:
        raise NotAllowed(
            f"A coaching group needs {MIN_LEARNERS} to {MAX_LEARNERS} learners "
            "besides you: mention them, e.g. `/mentoring group Onboarding @ana @ben`."
        )
    subject = clean_input(topic)[:TOPIC_MAX]
    if not subject:
        raise NotAllowed("Give the group a topic, e.g. `/mentoring group Onboarding @ana @ben`.")
    with services.database.transaction() as session:
        relationship = relationships.start_group(
            session,
            team_id=team_id,
            kind=RelationshipKind.GROUP_COACHING.value,
            topic=subject,
            guide_id=coach.id,
            learner_ids=[p.id for p in others],
            at=services.now(),
        )
        assert relationship.id is not None
        return relationship.id
