"""The one read behind `/mentoring me` and the App Home's lists: everything a person has going on.

A single statement (UNION ALL of five small, indexed selects) answers it, so the command's
acknowledgement costs one round trip, not one per part. Each row says which part it belongs to
in `part`; the columns a part does not use are NULL. The statement is built once, at import,
with bound parameters, so each call only binds values and reuses SQLAlchemy's compiled form.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Connection,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.models import (
    BotDm,
    Invitation,
    MentoringRequest,
    Offer,
    Person,
    Relationship,
    RelationshipMember,
)
from storage.requests import OPEN_STATUSES

REQUEST, RELATIONSHIP, INVITATIONS, OFFER = "request", "relationship", "invitations", "offer"
MESSAGES = "messages"


class OverviewRow(NamedTuple):
    """One row of the read. `ref` is the request, relationship or offer id; `kind` the request's
    or relationship's kind; `status` the request's status, the person's role in the
    relationship, or the offer's status; `at` when the request was made or the relationship
    began; `partner`, `partner_name` and `position` one other member of the relationship (NULL
    when it has none), `position` ordering them as they joined; `number` the count of pending
    invitations, or for the offer how many relationships the person guides now; `escalated_at`
    when a request went past its service level, and `tz` the requester's time zone.

    The `messages` row is the person's standing with the bot's DMs: `at` paused until,
    `escalated_at` when the bot stopped nudging them, `as_mentor` whether they muted nudges,
    `number` how many DMs the bot sent them since `dms_since`."""

    part: str
    ref: int | None
    kind: str | None
    status: str | None
    at: datetime | None
    partner: str | None
    partner_name: str | None
    position: int | None
    number: int | None
    as_mentor: bool | None
    as_coach: bool | None
    topics: str | None
    style: str | None
    formats: list[str] | None
    capacity: int | None
    availability: str | None
    escalated_at: datetime | None
    tz: str | None


_TEAM = bindparam("team_id", type_=String)
_USER = bindparam("slack_user_id", type_=String)
_DMS_SINCE = bindparam("dms_since", type_=BotDm.__table__.c.sent_at.type)  # type: ignore[attr-defined]
_DATETIME = Relationship.__table__.c.started_at.type  # type: ignore[attr-defined]
_JSON = Offer.__table__.c.formats.type  # type: ignore[attr-defined]


def _none(type_: Any) -> ColumnElement[Any]:
    """A NULL of `type_`, in SQL (PostgreSQL types a UNION's columns pair by pair, and two bare
    NULLs would make one text) and for SQLAlchemy (the first select types the rows)."""
    return cast(null(), type_)


def _constant(text: str) -> ColumnElement[str]:
    """A fixed word written into the SQL (not bound per call: nothing to expand or convert)."""
    if not text.replace("_", "").isalnum():
        raise ValueError(f"not a plain word: {text!r}")
    return literal_column(f"'{text}'", String)


def _no_offer() -> list[ColumnElement[Any]]:
    return [
        _none(Boolean).label("as_mentor"),
        _none(Boolean).label("as_coach"),
        _none(String).label("topics"),
        _none(String).label("style"),
        _none(_JSON).label("formats"),
        _none(Integer).label("capacity"),
        _none(String).label("availability"),
    ]


def _no_request_extras() -> list[ColumnElement[Any]]:
    return [_none(_DATETIME).label("escalated_at"), _none(String).label("tz")]


def _build() -> CompoundSelect[Any]:
    me = (
        select(col(Person.id))
        .where(col(Person.team_id) == _TEAM, col(Person.slack_user_id) == _USER)
        .scalar_subquery()
    )
    my_zone = (
        select(col(Person.tz))
        .where(col(Person.team_id) == _TEAM, col(Person.slack_user_id) == _USER)
        .scalar_subquery()
    )
    requests = select(
        _constant(REQUEST).label("part"),
        col(MentoringRequest.id).label("ref"),
        func.coalesce(MentoringRequest.kind_chosen, MentoringRequest.kind_asked).label("kind"),
        col(MentoringRequest.status).label("status"),
        col(MentoringRequest.created_at).label("at"),
        _none(String).label("partner"),
        _none(String).label("partner_name"),
        _none(Integer).label("position"),
        _none(Integer).label("number"),
        *_no_offer(),
        col(MentoringRequest.escalated_at).label("escalated_at"),
        my_zone.label("tz"),
    ).where(
        col(MentoringRequest.team_id) == _TEAM,
        col(MentoringRequest.requester_id) == me,
        col(MentoringRequest.status).in_([_constant(s) for s in OPEN_STATUSES]),
    )
    mine = aliased(RelationshipMember, name="mine")
    other = aliased(RelationshipMember, name="other")
    partner = aliased(Person, name="partner")
    relationships = (
        select(
            _constant(RELATIONSHIP),
            col(Relationship.id),
            col(Relationship.kind),
            col(mine.role),
            col(Relationship.started_at),
            col(partner.slack_user_id),
            col(partner.display_name),
            col(other.id),
            _none(Integer),
            *_no_offer(),
            *_no_request_extras(),
        )
        .select_from(mine)
        .join(Relationship, col(Relationship.id) == mine.relationship_id)
        .outerjoin(
            other,
            and_(
                col(other.relationship_id) == Relationship.id,
                col(other.person_id) != mine.person_id,
            ),
        )
        .outerjoin(partner, col(partner.id) == other.person_id)
        .where(
            col(mine.person_id) == me,
            col(Relationship.team_id) == _TEAM,
            col(Relationship.status) == _constant("active"),
        )
    )
    invitations = select(
        _constant(INVITATIONS),
        *(_none(t) for t in (Integer, String, String, _DATETIME, String, String, Integer)),
        func.count(),
        *_no_offer(),
        *_no_request_extras(),
    ).where(
        col(Invitation.team_id) == _TEAM,
        col(Invitation.person_id) == me,
        col(Invitation.status) == _constant("pending"),
    )
    guiding = (
        select(func.count())
        .select_from(RelationshipMember)
        .join(Relationship, col(Relationship.id) == RelationshipMember.relationship_id)
        .where(
            col(RelationshipMember.team_id) == _TEAM,
            col(RelationshipMember.person_id) == Offer.person_id,
            col(RelationshipMember.role) == _constant("guide"),
            col(Relationship.status) == _constant("active"),
        )
        .scalar_subquery()
    )
    offer = select(
        _constant(OFFER),
        col(Offer.id),
        _none(String),
        col(Offer.status),
        *(_none(t) for t in (_DATETIME, String, String, Integer)),
        guiding,
        col(Offer.as_mentor),
        col(Offer.as_coach),
        col(Offer.topics),
        col(Offer.style),
        col(Offer.formats),
        col(Offer.capacity),
        col(Offer.availability),
        *_no_request_extras(),
    ).where(col(Offer.team_id) == _TEAM, col(Offer.person_id) == me)
    dms_sent = (
        select(func.count())
        .where(col(BotDm.person_id) == Person.id, col(BotDm.sent_at) > _DMS_SINCE)
        .scalar_subquery()
    )
    messages = select(
        _constant(MESSAGES),
        col(Person.id),
        _none(String),
        _none(String),
        col(Person.paused_until),
        *(_none(t) for t in (String, String, Integer)),
        dms_sent,
        col(Person.nudges_muted),
        *(_none(t) for t in (Boolean, String, String, _JSON, Integer, String)),
        col(Person.nudges_stopped_at),
        _none(String),
    ).where(col(Person.team_id) == _TEAM, col(Person.slack_user_id) == _USER)
    return union_all(requests, relationships, invitations, offer, messages)


_STATEMENT = _build()


def for_person(
    connection: Connection, *, team_id: str, slack_user_id: str, dms_since: datetime
) -> Sequence[OverviewRow]:
    """Every row of the person's overview, in no particular order (nothing for someone unknown,
    apart from an invitations row counting zero). Plain rows, so a bare connection will do
    (`Database.reading_rows`)."""
    result = connection.execute(
        _STATEMENT,
        {"team_id": team_id, "slack_user_id": slack_user_id, "dms_since": dms_since},
    )
    return [OverviewRow(*row) for row in result]
