"""Queries behind a person's data rights: everything stored about them, and erasing it.

Like every query module here, these take a session and never commit: `bot.data_export` runs the
export in one read and `bot.data_erasure` the erasure in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, Table, TypeDecorator, cast, func, or_, update
from sqlalchemy import select as select_rows
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel, col, select

from storage.models import (
    Agreement,
    AgreementConfirmation,
    Appreciation,
    Assessment,
    AuditEvent,
    Checkpoint,
    Coordinator,
    Invitation,
    MentoringRequest,
    MentorReport,
    Nudge,
    Person,
    PlanItem,
    PulseResponse,
    Reflection,
    Relationship,
    RelationshipMember,
)

OPEN_REQUESTS = ("open", "matching", "unmatched")
WAITING_NUDGES = ("pending", "claimed")

# -- reading -------------------------------------------------------------------------------


def requests_by(session: Session, *, team_id: str, person_id: int) -> Sequence[MentoringRequest]:
    statement = (
        select(MentoringRequest)
        .where(MentoringRequest.team_id == team_id, MentoringRequest.requester_id == person_id)
        .order_by(col(MentoringRequest.created_at), col(MentoringRequest.id))
    )
    return session.exec(statement).all()


def invitations_received(session: Session, *, team_id: str, person_id: int) -> Sequence[Invitation]:
    statement = (
        select(Invitation)
        .where(Invitation.team_id == team_id, Invitation.person_id == person_id)
        .order_by(col(Invitation.asked_at), col(Invitation.id))
    )
    return session.exec(statement).all()


def invitations_caused(
    session: Session, *, team_id: str, person_id: int, slack_user_id: str
) -> Sequence[Invitation]:
    """Invitations sent on the person's own requests, or assigned by them as a coordinator."""
    statement = (
        select(Invitation)
        .where(
            Invitation.team_id == team_id,
            or_(
                col(Invitation.request_id).in_(_requests_of(team_id, person_id)),
                col(Invitation.assigned_by) == slack_user_id,
            ),
        )
        .order_by(col(Invitation.asked_at), col(Invitation.id))
    )
    return session.exec(statement).all()


def invitations_on_requests_of(
    session: Session, *, team_id: str, person_id: int
) -> Sequence[Invitation]:
    statement = select(Invitation).where(
        Invitation.team_id == team_id,
        col(Invitation.request_id).in_(_requests_of(team_id, person_id)),
    )
    return session.exec(statement).all()


def _requests_of(team_id: str, person_id: int) -> Any:
    return select(MentoringRequest.id).where(
        MentoringRequest.team_id == team_id, MentoringRequest.requester_id == person_id
    )


def memberships(
    session: Session, *, team_id: str, person_id: int
) -> Sequence[tuple[Relationship, str]]:
    """(relationship, the person's role) for every relationship they are or were in."""
    statement = (
        select(Relationship, RelationshipMember.role)
        .join(RelationshipMember, col(RelationshipMember.relationship_id) == Relationship.id)
        .where(Relationship.team_id == team_id, RelationshipMember.person_id == person_id)
        .order_by(col(Relationship.started_at), col(Relationship.id))
    )
    return session.exec(statement).all()


def members_by_relationship(
    session: Session, *, relationship_ids: Sequence[int]
) -> dict[int, list[tuple[Person, str]]]:
    if not relationship_ids:
        return {}
    statement = (
        select(RelationshipMember.relationship_id, Person, RelationshipMember.role)
        .join(Person, col(Person.id) == RelationshipMember.person_id)
        .where(col(RelationshipMember.relationship_id).in_(relationship_ids))
        .order_by(col(RelationshipMember.id))
    )
    found: dict[int, list[tuple[Person, str]]] = {}
    for relationship_id, person, role in session.exec(statement).all():
        found.setdefault(relationship_id, []).append((person, role))
    return found


def agreements_of(session: Session, *, relationship_ids: Sequence[int]) -> Sequence[Agreement]:
    if not relationship_ids:
        return []
    statement = (
        select(Agreement)
        .where(col(Agreement.relationship_id).in_(relationship_ids))
        .order_by(col(Agreement.relationship_id), col(Agreement.version))
    )
    return session.exec(statement).all()


def confirmations_of(
    session: Session, *, agreement_ids: Sequence[int]
) -> Sequence[AgreementConfirmation]:
    if not agreement_ids:
        return []
    statement = (
        select(AgreementConfirmation)
        .where(col(AgreementConfirmation.agreement_id).in_(agreement_ids))
        .order_by(col(AgreementConfirmation.id))
    )
    return session.exec(statement).all()


def plan_items_of(session: Session, *, agreement_ids: Sequence[int]) -> Sequence[PlanItem]:
    if not agreement_ids:
        return []
    statement = (
        select(PlanItem)
        .where(col(PlanItem.agreement_id).in_(agreement_ids))
        .order_by(col(PlanItem.agreement_id), col(PlanItem.id))
    )
    return session.exec(statement).all()


def checkpoints_of(session: Session, *, relationship_ids: Sequence[int]) -> Sequence[Checkpoint]:
    if not relationship_ids:
        return []
    statement = (
        select(Checkpoint)
        .where(col(Checkpoint.relationship_id).in_(relationship_ids))
        .order_by(col(Checkpoint.due_at), col(Checkpoint.id))
    )
    return session.exec(statement).all()


def assessments_by(session: Session, *, person_id: int) -> Sequence[Assessment]:
    statement = (
        select(Assessment)
        .where(Assessment.person_id == person_id)
        .order_by(col(Assessment.created_at), col(Assessment.id))
    )
    return session.exec(statement).all()


def reflections_by(session: Session, *, person_id: int) -> Sequence[Reflection]:
    statement = (
        select(Reflection)
        .where(Reflection.author_id == person_id)
        .order_by(col(Reflection.created_at), col(Reflection.id))
    )
    return session.exec(statement).all()


def reflections_shared_with(
    session: Session, *, person_id: int, relationship_ids: Sequence[int]
) -> Sequence[Reflection]:
    """Reflections a partner chose to share in one of the person's relationships."""
    if not relationship_ids:
        return []
    statement = (
        select(Reflection)
        .where(
            col(Reflection.relationship_id).in_(relationship_ids),
            Reflection.author_id != person_id,
            col(Reflection.shared_with_partner).is_(True),
        )
        .order_by(col(Reflection.created_at), col(Reflection.id))
    )
    return session.exec(statement).all()


def appreciations_of(session: Session, *, person_id: int) -> Sequence[Appreciation]:
    """Thanks the person sent or received."""
    statement = (
        select(Appreciation)
        .where(or_(col(Appreciation.from_id) == person_id, col(Appreciation.to_id) == person_id))
        .order_by(col(Appreciation.created_at), col(Appreciation.id))
    )
    return session.exec(statement).all()


def reports_of(
    session: Session, *, person_id: int, relationship_ids: Sequence[int]
) -> Sequence[MentorReport]:
    """Reports the person wrote, and reports on relationships they are in."""
    condition: ColumnElement[bool] = col(MentorReport.author_id) == person_id
    if relationship_ids:
        condition = or_(condition, col(MentorReport.relationship_id).in_(relationship_ids))
    statement = (
        select(MentorReport)
        .where(condition)
        .order_by(col(MentorReport.created_at), col(MentorReport.id))
    )
    return session.exec(statement).all()


def pulse_responses_by(session: Session, *, person_id: int) -> Sequence[PulseResponse]:
    statement = (
        select(PulseResponse)
        .where(PulseResponse.person_id == person_id)
        .order_by(col(PulseResponse.created_at), col(PulseResponse.id))
    )
    return session.exec(statement).all()


def coordinator_entries(
    session: Session, *, team_id: str, slack_user_id: str
) -> Sequence[Coordinator]:
    """The person's own entry as a coordinator added in Slack, and the ones they added."""
    statement = (
        select(Coordinator)
        .where(
            Coordinator.team_id == team_id,
            or_(
                col(Coordinator.slack_user_id) == slack_user_id,
                col(Coordinator.added_by) == slack_user_id,
            ),
        )
        .order_by(col(Coordinator.added_at), col(Coordinator.id))
    )
    return session.exec(statement).all()


def nudges_for(session: Session, *, person_id: int) -> Sequence[Nudge]:
    statement = (
        select(Nudge)
        .where(Nudge.person_id == person_id)
        .order_by(col(Nudge.send_at), col(Nudge.id))
    )
    return session.exec(statement).all()


def audit_by(session: Session, *, team_id: str, actor: str) -> Sequence[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.team_id == team_id, AuditEvent.actor_slack_id == actor)
        .order_by(col(AuditEvent.created_at), col(AuditEvent.id))
    )
    return session.exec(statement).all()


def slack_ids(session: Session, *, person_ids: Sequence[int]) -> dict[int, str]:
    """person id -> Slack id, for showing who is who without internal ids."""
    if not person_ids:
        return {}
    statement = select(Person.id, Person.slack_user_id).where(col(Person.id).in_(person_ids))
    return {
        person_id: slack_id for person_id, slack_id in session.exec(statement).all() if person_id
    }


# -- erasing -------------------------------------------------------------------------------


def references_to(session: Session, *, person_id: int) -> int:
    """How many rows in any table point at this people row (through any foreign key)."""
    total = 0
    for table in SQLModel.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name == Person.__tablename__ and key.parent.table is table:
                statement = select(func.count()).select_from(table).where(key.parent == person_id)
                total += int(session.exec(statement).one())
    return total


def unlink_manager(session: Session, *, team_id: str, slack_user_id: str) -> int:
    """Forget that anyone named this person as their manager (people and requests)."""
    people = session.execute(
        update(Person)
        .where(col(Person.team_id) == team_id, col(Person.manager_slack_id) == slack_user_id)
        .values(manager_slack_id=None)
    )
    asked = session.execute(
        update(MentoringRequest)
        .where(
            col(MentoringRequest.team_id) == team_id,
            col(MentoringRequest.manager_slack_id) == slack_user_id,
        )
        .values(manager_slack_id=None)
    )
    return int(people.rowcount) + int(asked.rowcount)  # type: ignore[attr-defined]


def close_requests(session: Session, *, team_id: str, person_id: int, at: datetime) -> int:
    """Blank the person's requests; open ones are cancelled so nobody is still matched to them."""
    result = session.execute(
        update(MentoringRequest)
        .where(
            col(MentoringRequest.team_id) == team_id,
            col(MentoringRequest.requester_id) == person_id,
            col(MentoringRequest.status).in_(OPEN_REQUESTS),
        )
        .values(status="cancelled", closed_at=at, updated_at=at)
    )
    session.execute(
        update(MentoringRequest)
        .where(
            col(MentoringRequest.team_id) == team_id,
            col(MentoringRequest.requester_id) == person_id,
        )
        .values(need="", summary="", manager_slack_id=None, view_id=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def withdraw_invitations(
    session: Session, *, team_id: str, invitation_ids: Sequence[int], at: datetime
) -> int:
    if not invitation_ids:
        return 0
    result = session.execute(
        update(Invitation)
        .where(
            col(Invitation.team_id) == team_id,
            col(Invitation.id).in_(invitation_ids),
            col(Invitation.status) == "pending",
        )
        .values(status="withdrawn", answered_at=at)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def skip_nudges(session: Session, *, person_id: int) -> int:
    """Nudges still to be sent to the person are skipped; where any went, is forgotten."""
    result = session.execute(
        update(Nudge)
        .where(col(Nudge.person_id) == person_id, col(Nudge.status).in_(WAITING_NUDGES))
        .values(status="skipped", last_error="person erased", claimed_by=None, claimed_until=None)
    )
    session.execute(
        update(Nudge)
        .where(col(Nudge.person_id) == person_id)
        .values(slack_channel=None, slack_ts=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def nudges_mentioning(session: Session, *, team_id: str, text: str) -> Sequence[Nudge]:
    statement = select(Nudge).where(
        Nudge.team_id == team_id, col(Nudge.reasons).contains(text, autoescape=True)
    )
    return session.exec(statement).all()


def replace_identifier(
    session: Session, *, team_id: str, old: str, new: str, skip: Sequence[str] = ()
) -> dict[str, int]:
    """Replace the identifier `old` by `new` wherever it still appears as a whole word in any
    text or JSON column of any table of the workspace (a Slack id typed into a note, an expert
    in someone else's plan, an audit subject…). Returns {table name: rows changed}.

    Whole word: `U12` is not replaced inside `U123`, so nobody else's id is touched."""
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(old)}(?![A-Za-z0-9])")

    def swap(value: Any) -> Any:
        return _replace_in(value, lambda text: pattern.sub(new, text))

    changed: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in skip or "team_id" not in table.columns:
            continue
        columns = [c for c in table.columns if _holds_text(c)]
        if not columns:
            continue
        candidates = select_rows(table).where(
            table.c.team_id == team_id,
            or_(*(cast(c, String).contains(old, autoescape=True) for c in columns)),
        )
        count = 0
        for row in session.execute(candidates).mappings().all():
            values = {}
            for column in columns:
                before = row[column.name]
                after = swap(before)
                if after != before:
                    values[column.name] = after
            if values:
                session.execute(update(table).where(*_primary_key(table, row)).values(**values))
                count += 1
        if count:
            changed[table.name] = count
    return changed


def _holds_text(column: Column[Any]) -> bool:
    """Text or JSON, also behind a TypeDecorator (SQLModel's AutoString is one)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, String | JSON)


def _primary_key(table: Table, row: Any) -> list[ColumnElement[bool]]:
    return [column == row[column.name] for column in table.primary_key.columns]


def _replace_in(value: Any, change: Callable[[str], str]) -> Any:
    """`change` applied to every string in `value`, JSON keys and nested values included."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_replace_in(item, change) for item in value]
    if isinstance(value, dict):
        return {change(str(k)): _replace_in(v, change) for k, v in value.items()}
    return value
