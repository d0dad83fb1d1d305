"""The closing record: a Markdown document the protégé keeps when a relationship ends.

`render` is a pure function of plain data (`Record`). Whatever a person typed goes into the file
as it was written, character for character, inside code spans and fenced blocks whose fences are
longer than any run of backticks in the text: Markdown shows it literally, so it can neither
change the document's structure nor become a link, an image or HTML. `gather` reads the
relationship and builds one record per learner; in a group each learner's record holds only
their own reflections and thanks, never another learner's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import prompts
from bot import agreement_terms, closure, visibility
from bot.services import Services
from bot.workdays import zone
from storage import agreements, appreciations, checkpoints, program_reports, relationships
from storage import reflections as reflection_rows
from storage.models import Person

CHECKPOINT_WORDS = {
    "done": "kept",
    "missed": "missed",
    "scheduled": "not yet held",
    "cancelled": "cancelled",
}
KIND_WORDS = {
    "mentoring": "mentoring",
    "coaching": "coaching",
    "group_coaching": "group coaching",
    "observation": "observation",
}
NONE = "_None._"


@dataclass(frozen=True)
class Term:
    step: str
    label: str
    value: str
    typed: bool  # written by a person (shown verbatim), or a label Mentorbot chose


@dataclass(frozen=True)
class Goal:
    title: str
    deliverable: str
    due: date | None
    reached: bool


@dataclass(frozen=True)
class CheckpointLine:
    title: str
    due: datetime
    status: str


@dataclass(frozen=True)
class ReflectionLine:
    author: str
    at: datetime
    learned: str
    next_step: str


@dataclass(frozen=True)
class ThanksLine:
    sender: str
    recipient: str
    at: datetime
    message: str


@dataclass(frozen=True)
class ReportText:
    at: datetime
    goals_reached: tuple[str, ...]
    progress: str
    learned: str
    recommendations: str


@dataclass(frozen=True)
class Record:
    learner: str
    guide: str
    kind: str
    started: datetime
    ended: datetime | None
    reason: str
    agreement_version: int | None
    terms: tuple[Term, ...]
    goals: tuple[Goal, ...]
    checkpoints: tuple[CheckpointLine, ...]
    own_reflections: tuple[ReflectionLine, ...]
    shared_reflections: tuple[ReflectionLine, ...]
    thanks: tuple[ThanksLine, ...]
    report: ReportText | None


# -- safe text -------------------------------------------------------------------------------


def _fence_for(text: str, minimum: int) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(minimum, longest + 1)


def inline(text: str) -> str:
    """One line of typed text, shown literally (a code span)."""
    if not text.strip():
        return NONE
    if "\n" in text or "\r" in text:
        return "\n\n" + block(text)
    fence = _fence_for(text, 1)
    return f"{fence} {text} {fence}"


def block(text: str) -> str:
    """Typed text of any length, shown literally (a fenced block)."""
    fence = _fence_for(text, 3)
    return f"{fence}text\n{text}\n{fence}"


def _day(moment: date | datetime | None) -> str:
    return f"{moment:%d %b %Y}" if moment is not None else "no date"


def _when(moment: datetime) -> str:
    return f"{moment:%d %b %Y %H:%M}"


# -- rendering -------------------------------------------------------------------------------


def _terms(record: Record) -> str:
    if not record.terms:
        return "_No agreement was confirmed._"
    lines = [f"Version {record.agreement_version}, as everyone confirmed it."]
    current = ""
    for term in record.terms:
        if term.step != current:
            current = term.step
            lines.append(f"\n### {term.step}\n")
        value = inline(term.value) if term.typed else term.value
        lines.append(f"- **{term.label}:** {value}")
    return "\n".join(lines)


def _goals(record: Record) -> str:
    if not record.goals:
        return NONE
    lines = []
    for goal in record.goals:
        outcome = "reached" if goal.reached else "not marked as reached"
        line = f"- {inline(goal.title)} ({outcome})"
        if goal.deliverable:
            line += f"\n  - Deliverable: {inline(goal.deliverable)}"
        if goal.due:
            line += f"\n  - Due: {_day(goal.due)}"
        lines.append(line)
    return "\n".join(lines)


def _checkpoints(record: Record) -> str:
    if not record.checkpoints:
        return NONE
    kept = sum(1 for c in record.checkpoints if c.status == "done")
    missed = sum(1 for c in record.checkpoints if c.status == "missed")
    lines = [f"{kept} kept, {missed} missed.", ""]
    lines += [
        f"- {_when(c.due)}: {inline(c.title)}, {CHECKPOINT_WORDS.get(c.status, c.status)}"
        for c in record.checkpoints
    ]
    return "\n".join(lines)


def _reflections(found: Sequence[ReflectionLine], *, named: bool) -> str:
    if not found:
        return NONE
    parts = []
    for reflection in found:
        heading = f"**{_day(reflection.at)}**" + (f", by {reflection.author}" if named else "")
        text = f"{heading}\n\n{block(reflection.learned)}"
        if reflection.next_step:
            text += f"\n\nNext step:\n\n{block(reflection.next_step)}"
        parts.append(text)
    return "\n\n".join(parts)


def _thanks(record: Record) -> str:
    if not record.thanks:
        return NONE
    return "\n\n".join(
        f"**{_day(t.at)}**, {t.sender} to {t.recipient}:\n\n{block(t.message)}"
        for t in record.thanks
    )


def _report(record: Record) -> str:
    report = record.report
    if report is None:
        return "_Not shared with you._"
    reached = ", ".join(inline(g) for g in report.goals_reached) or "none marked"
    parts = [f"Written {_day(report.at)}.", f"**Goals reached:** {reached}"]
    for label, text in (
        ("Progress", report.progress),
        ("What was learned", report.learned),
        ("Recommendations", report.recommendations),
    ):
        parts.append(f"**{label}:**\n\n{block(text) if text else NONE}")
    return "\n\n".join(parts)


def render(record: Record) -> str:
    """The whole document, Markdown, from plain data."""
    return (
        prompts.render(
            "closing_record",
            kind=KIND_WORDS.get(record.kind, record.kind),
            learner=inline(record.learner),
            guide=inline(record.guide),
            started=_day(record.started),
            ended=_day(record.ended),
            reason=record.reason,
            agreement=_terms(record),
            goals=_goals(record),
            checkpoints=_checkpoints(record),
            reflections=_reflections(record.own_reflections, named=False),
            shared=_reflections(record.shared_reflections, named=True),
            thanks=_thanks(record),
            report=_report(record),
        )
        + "\n"
    )


def filename(record: Record) -> str:
    return f"mentoring-record-{record.started:%Y-%m-%d}.md"


# -- gathering -------------------------------------------------------------------------------


def _terms_of(kind: str, terms: Mapping[str, Any], names: Mapping[str, str]) -> tuple[Term, ...]:
    found = []
    for step in agreement_terms.steps_for(kind):
        values = terms.get(step.name) or {}
        for spec in step.fields:
            value = values.get(spec.name)
            if value in (None, "", []):
                continue
            if spec.kind == "choices":
                shown = ", ".join(agreement_terms.labels_of(step.name, spec.name, value))
            elif spec.kind == "choice":
                shown = agreement_terms.label_of(step.name, spec.name, str(value))
            elif spec.kind == "users":
                shown = ", ".join(names.get(str(u), str(u)) for u in value)
            elif spec.kind == "date":
                shown = _day(date.fromisoformat(str(value)))
            else:
                found.append(Term(step.title, spec.label, str(value), typed=True))
                continue
            found.append(Term(step.title, spec.label, shown, typed=False))
    return tuple(found)


def _name(person: Person) -> str:
    return person.display_name or person.slack_user_id


def gather(services: Services, *, team_id: str, relationship_id: int) -> list[tuple[str, Record]]:
    """One record per learner of the relationship: (their Slack id, their record)."""
    spot = visibility.place("closing_record")
    with services.database.reading() as session:
        relationship = relationships.get(session, team_id=team_id, relationship_id=relationship_id)
        if relationship is None:
            return []
        members = relationships.members(session, relationship_id=relationship_id)
        guide = next((p for p, role in members if role == "guide"), None)
        if guide is None or guide.id is None:
            return []
        agreement = agreements.active(
            session, relationship_id=relationship_id
        ) or agreements.latest(session, relationship_id=relationship_id)
        names = {p.slack_user_id: _name(p) for p, _ in members}
        goals: tuple[Goal, ...] = ()
        report = None
        for filed in program_reports.reports_for_relationship(
            session, relationship_id=relationship_id
        ):
            if visibility.may_see(
                spot.audience, "mentor_report", shared=filed.shared_with_learners
            ):
                report = ReportText(
                    at=filed.created_at,
                    goals_reached=tuple(filed.goals_reached),
                    progress=filed.progress,
                    learned=filed.learned,
                    recommendations=filed.recommendations,
                )
        reached = set(report.goals_reached) if report else set()
        if agreement is not None and agreement.id is not None:
            goals = tuple(
                Goal(
                    title=item.title,
                    deliverable=item.detail,
                    due=item.due_on,
                    reached=item.state == "done" or item.title in reached,
                )
                for item in agreements.plan_items(session, agreement_id=agreement.id)
                if item.item_type == "goal"
            )
        written = reflection_rows.for_relationship(session, relationship_id=relationship_id)
        held = checkpoints.for_relationship(session, relationship_id=relationship_id)
        records = []
        for learner, role in members:
            if role == "guide" or learner.id is None:
                continue
            here = zone(learner.tz, services.settings.mentorbot_default_timezone)

            def local(moment: datetime, here: Any = here) -> datetime:
                return moment.astimezone(here)

            between = appreciations.between(
                session, team_id=team_id, person_ids=(learner.id, guide.id)
            )
            records.append(
                (
                    learner.slack_user_id,
                    Record(
                        learner=_name(learner),
                        guide=_name(guide),
                        kind=relationship.kind,
                        started=local(relationship.started_at),
                        ended=local(relationship.ended_at) if relationship.ended_at else None,
                        reason=closure.REASONS.get(relationship.end_reason or "", "it ended"),
                        agreement_version=agreement.version if agreement else None,
                        terms=_terms_of(
                            relationship.kind, agreement.terms if agreement else {}, names
                        ),
                        goals=goals,
                        checkpoints=tuple(
                            CheckpointLine(c.title, local(c.due_at), c.status) for c in held
                        ),
                        own_reflections=tuple(
                            ReflectionLine(
                                _name(learner), local(r.created_at), r.learned, r.next_step
                            )
                            for r in written
                            if r.author_id == learner.id
                        ),
                        shared_reflections=tuple(
                            ReflectionLine(
                                _name(guide), local(r.created_at), r.learned, r.next_step
                            )
                            for r in written
                            if r.author_id == guide.id
                            and visibility.may_see(
                                spot.audience, "reflections", shared=r.shared_with_partner
                            )
                        ),
                        thanks=tuple(
                            ThanksLine(
                                sender=_name(guide if t.from_id == guide.id else learner),
                                recipient=_name(guide if t.to_id == guide.id else learner),
                                at=local(t.created_at),
                                message=t.message,
                            )
                            for t in between
                        ),
                        report=report,
                    ),
                )
            )
        return records
