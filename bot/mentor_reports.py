"""The mentor's or coach's report to the organisation: at closure, and periodically in long
relationships. Goals and checkpoint progress are pre-filled from the plan and the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import agreement_terms, visibility
from bot.errors import NotAllowed, NotFound
from bot.forms import FormErrors
from bot.services import Services
from bot.text import clean_input
from storage import agreements, assessments, checkpoints, nudges, people, relationships
from storage.models import MentorReport, Relationship

TEXT_MAX = 1500
OCCASIONS = ("final", "periodic")


@dataclass(frozen=True)
class ReportDraft:
    relationship_id: int
    occasion: str
    goals: tuple[str, ...]
    progress: str
    learners: tuple[str, ...]


@dataclass(frozen=True)
class Filed:
    report_id: int
    relationship_id: int
    guide: str
    learners: tuple[str, ...]
    goals_reached: tuple[str, ...]
    progress: str
    learned: str
    recommendations: str
    shared: bool  # with the learners, who then get it in a DM and in their closing record
    closed: bool  # the relationship has ended (its closing record goes out again)


def draft(
    services: Services, *, team_id: str, user_id: str, relationship_id: int, occasion: str
) -> ReportDraft:
    with services.database.reading() as session:
        relationship, learners = _as_guide(session, team_id, user_id, relationship_id)
        latest = agreements.latest(session, relationship_id=relationship_id)
        plan = (latest.terms.get("plan") or {}) if latest else {}
        goals = tuple(goal for goal, _, _ in agreement_terms.plan_rows(plan))
        return ReportDraft(
            relationship_id=relationship_id,
            occasion=occasion if occasion in OCCASIONS else "final",
            goals=goals,
            progress=_progress(session, relationship),
            learners=learners,
        )


def submit(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    relationship_id: int,
    occasion: str,
    goals_reached: list[str],
    progress: str | None,
    learned: str | None,
    recommendations: str | None,
    share_with_learners: bool = False,
) -> Filed:
    errors: dict[str, str] = {}
    texts = {
        name: clean_input(value or "")
        for name, value in (
            ("progress", progress),
            ("learned", learned),
            ("recommendations", recommendations),
        )
    }
    for name, value in texts.items():
        if len(value) > TEXT_MAX:
            errors[name] = f"Please keep this under {TEXT_MAX} characters."
    if not texts["learned"]:
        errors["learned"] = "Please say in a line or two what was learned."
    if errors:
        raise FormErrors(errors)
    with services.database.transaction() as session:
        relationship, learners = _as_guide(session, team_id, user_id, relationship_id)
        author = people.by_slack_id(session, team_id=team_id, slack_user_id=user_id)
        assert author is not None and author.id is not None
        report = MentorReport(
            team_id=team_id,
            relationship_id=relationship_id,
            author_id=author.id,
            occasion=occasion if occasion in OCCASIONS else "final",
            goals_reached=[clean_input(g)[:200] for g in goals_reached][:10],
            progress=texts["progress"],
            learned=texts["learned"],
            recommendations=texts["recommendations"],
            shared_with_learners=share_with_learners,
            created_at=services.now(),
        )
        session.add(report)
        session.flush()
        assert report.id is not None
        return Filed(
            report_id=report.id,
            relationship_id=relationship_id,
            guide=user_id,
            learners=learners,
            goals_reached=tuple(report.goals_reached),
            progress=report.progress,
            learned=report.learned,
            recommendations=report.recommendations,
            closed=relationship.status == "closed",
            shared=visibility.may_see(
                visibility.Audience.PARTNER, "mentor_report", shared=report.shared_with_learners
            ),
        )


def plan_periodic(services: Services, *, now: datetime) -> int:
    """Owe each guide of a long relationship a report every MENTORBOT_REPORT_MONTHS months."""
    every = timedelta(days=30 * services.settings.mentorbot_report_months)
    added = 0
    with services.database.transaction() as session:
        for relationship in relationships.active(session):
            if now - relationship.started_at < every:
                continue
            period = int((now - relationship.started_at) / every)
            guide = next(
                (
                    p
                    for p, role in relationships.members(
                        session, relationship_id=relationship.id or 0
                    )
                    if role == "guide"
                ),
                None,
            )
            if guide is None:
                continue
            added += nudges.plan(
                session,
                {
                    "team_id": relationship.team_id,
                    "person_id": guide.id,
                    "relationship_id": relationship.id,
                    "kind": "report_due",
                    "send_at": now,
                    "dedupe_key": f"report_due:{relationship.id}:{period}",
                },
            )
    return added


def _as_guide(
    session: Session, team_id: str, user_id: str, relationship_id: int
) -> tuple[Relationship, tuple[str, ...]]:
    relationship = relationships.get(session, team_id=team_id, relationship_id=relationship_id)
    if relationship is None:
        raise NotFound("I can't find that relationship.")
    members = relationships.members(session, relationship_id=relationship_id)
    if not any(p.slack_user_id == user_id and role == "guide" for p, role in members):
        raise NotAllowed("Only the mentor or coach writes the report.")
    return relationship, tuple(p.slack_user_id for p, role in members if role != "guide")


def _progress(session: Session, relationship: Relationship) -> str:
    found = checkpoints.for_relationship(session, relationship_id=relationship.id or 0)
    kept = sum(1 for c in found if c.status == "done")
    missed = sum(1 for c in found if c.status == "missed")
    answers = assessments.for_relationship(session, relationship_id=relationship.id or 0)
    counts = {
        p: sum(1 for a in answers if a.progress == p) for p in ("on_track", "behind", "blocked")
    }
    return (
        f"{kept} checkpoint(s) kept, {missed} missed. Answers: {counts['on_track']} on "
        f"track, {counts['behind']} behind, {counts['blocked']} blocked."
    )
