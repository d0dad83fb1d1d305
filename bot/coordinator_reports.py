"""Reports for coordinators: the mentors' reports received in a period, and the HR export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from bot import visibility
from bot.roles import require_coordinator
from bot.services import Services
from storage import audit
from storage import program_reports as queries
from storage import program_status as status_queries


@dataclass(frozen=True)
class ReportLine:
    guide: str
    learners: tuple[str, ...]
    occasion: str
    created_at: datetime
    goals_reached: tuple[str, ...]
    progress: str
    learned: str
    recommendations: str


def mentor_reports(
    services: Services, *, team_id: str, user_id: str, since: datetime
) -> list[ReportLine]:
    require_coordinator(services, team_id=team_id, user_id=user_id, action="report")
    visibility.place("report")
    with services.database.reading() as session:
        reports = queries.mentor_reports(session, team_id=team_id, since=since)
        members = status_queries.members_of(
            session, relationship_ids=[r.relationship_id for r in reports]
        )
        authors = queries.slack_ids(session, person_ids=[r.author_id for r in reports])
        lines = [
            ReportLine(
                guide=authors.get(r.author_id, "?"),
                learners=tuple(
                    u for u in members.get(r.relationship_id, []) if u != authors.get(r.author_id)
                ),
                occasion=r.occasion,
                created_at=r.created_at,
                goals_reached=tuple(r.goals_reached),
                progress=r.progress,
                learned=r.learned,
                recommendations=r.recommendations,
            )
            for r in reports
        ]
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action="view.reports",
            at=services.now(),
            detail={"since": since.isoformat(), "count": len(lines)},
        )
    return lines


def export_csv(services: Services, *, team_id: str, user_id: str) -> str:
    """Relationships and their checkpoints with outcomes, one CSV row per checkpoint (and one per
    relationship without any): metadata only, no personal text."""
    require_coordinator(services, team_id=team_id, user_id=user_id, action="export")
    visibility.place("export")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "relationship_id",
            "kind",
            "status",
            "started_at",
            "ended_at",
            "end_reason",
            "at_risk_since",
            "members",
            "checkpoint_id",
            "checkpoint_reason",
            "due_at",
            "checkpoint_status",
            "completed_at",
        ]
    )
    with services.database.reading() as session:
        relationships = queries.relationships_for_export(session, team_id=team_id)
        members = status_queries.members_of(
            session, relationship_ids=[int(r[0]) for r in relationships]
        )
        by_relationship: dict[int, list[tuple[object, ...]]] = {}
        for row in queries.checkpoints_for_export(session, team_id=team_id):
            by_relationship.setdefault(int(row[1]), []).append(tuple(row))
    for rel_id, kind, status, started, ended, reason, at_risk in relationships:
        base = [
            rel_id,
            kind,
            status,
            _iso(started),
            _iso(ended),
            reason or "",
            _iso(at_risk),
            " ".join(members.get(int(rel_id), [])),
        ]
        rows = by_relationship.get(int(rel_id)) or [(None, None, None, None, None, None)]
        for cp_id, _, cp_reason, due, cp_status, completed in rows:
            writer.writerow(
                [*base, cp_id or "", cp_reason or "", _iso(due), cp_status or "", _iso(completed)]
            )
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action="export.csv",
            at=services.now(),
            detail={"relationships": len(relationships)},
        )
    return out.getvalue()


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else ""
