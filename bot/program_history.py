"""Program health week by week, for the coordinators' chart: numbers only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import visibility
from bot.roles import require_coordinator
from bot.services import Services
from storage import audit
from storage import program_status as queries

WEEKS = 12


@dataclass(frozen=True)
class Week:
    ending: datetime
    active: int
    completion: float | None
    at_risk: int


def weekly(services: Services, *, team_id: str, user_id: str, weeks: int = WEEKS) -> list[Week]:
    require_coordinator(services, team_id=team_id, user_id=user_id, action="status.chart")
    visibility.place("chart")
    now = services.now()
    start = now - timedelta(weeks=weeks)
    with services.database.reading() as session:
        spans = queries.relationship_spans(session, team_id=team_id)
        outcomes = queries.weekly_outcomes(session, team_id=team_id, since=start)
        risks = queries.risk_starts(session, team_id=team_id)
    result = []
    for n in range(1, weeks + 1):
        ending = start + timedelta(weeks=n)
        begin = ending - timedelta(weeks=1)
        active = sum(1 for s, e in spans if s <= ending and (e is None or e > ending))
        week = [status for due, status in outcomes if begin <= due < ending]
        kept = week.count("done")
        result.append(
            Week(
                ending=ending,
                active=active,
                completion=kept / len(week) if week else None,
                at_risk=sum(1 for r in risks if r <= ending),
            )
        )
    with services.database.transaction() as session:
        audit.record(session, team_id=team_id, actor=user_id, action="view.chart", at=now)
    return result
