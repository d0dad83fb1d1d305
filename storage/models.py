"""SQLModel tables: the program's core vocabulary.

Every table that holds workspace data carries `team_id`, so one database can serve several
workspaces and every query can be scoped by it. Times are aware UTC datetimes. Free text that a
person typed lives only in columns named for it (`need`, `learned`, `message`…), so privacy rules
and the forget-me eraser know exactly where personal text is.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Kind(StrEnum):
    """What a volunteer offers or a person asks for."""

    MENTOR = "mentor"
    COACH = "coach"


class RelationshipKind(StrEnum):
    MENTORING = "mentoring"
    COACHING = "coaching"
    GROUP_COACHING = "group_coaching"
    OBSERVATION = "observation"


class Person(SQLModel, table=True):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id", name="uq_people_team_user"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    slack_user_id: str = Field(max_length=32)
    display_name: str = Field(default="", max_length=255)
    tz: str | None = Field(default=None, max_length=64)
    manager_slack_id: str | None = Field(default=None, max_length=32)
    nudges_muted: bool = Field(default=False)
    paused_until: datetime | None = None
    nudges_stopped_at: datetime | None = None
    shoutouts_opt_out: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None


class Offer(SQLModel, table=True):
    """A volunteer's standing offer to mentor, coach, or both: one per person, edited in place."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("team_id", "person_id", name="uq_offers_team_person"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    as_mentor: bool = Field(default=False)
    as_coach: bool = Field(default=False)
    topics: str = Field(default="")
    style: str = Field(default="guide", max_length=32)
    formats: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    capacity: int = Field(default=1)
    availability: str = Field(default="")
    status: str = Field(default="active", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MentoringRequest(SQLModel, table=True):
    """Someone asking for a mentor or a coach."""

    __tablename__ = "requests"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    requester_id: int = Field(foreign_key="people.id", index=True)
    kind_asked: str = Field(max_length=16)
    kind_recommended: str | None = Field(default=None, max_length=16)
    kind_chosen: str | None = Field(default=None, max_length=16)
    need: str = Field(default="")
    summary: str = Field(default="", max_length=300)
    drivers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    goal_scope: str = Field(default="", max_length=32)
    format: str = Field(default="", max_length=32)
    time_commitment: str = Field(default="", max_length=64)
    manager_slack_id: str | None = Field(default=None, max_length=32)
    status: str = Field(default="open", max_length=16, index=True)
    view_id: str | None = Field(default=None, max_length=32)
    coordinator_notified_at: datetime | None = None
    escalated_at: datetime | None = None
    """When the request passed its service level with nobody accepted, and the coordinators
    and the requester were told (once)."""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """One volunteer asked to take on one request; they accept, decline, or let it expire."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("request_id", "person_id", name="uq_invitation_request_person"),
        Index("ix_invitations_status_expires", "status", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    request_id: int = Field(foreign_key="requests.id", index=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    status: str = Field(default="pending", max_length=16)
    assigned_by: str | None = Field(default=None, max_length=32)
    why: str = Field(default="", max_length=300)
    asked_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    answered_at: datetime | None = None
    decline_reason: str | None = Field(default=None, max_length=500)
    slack_channel: str | None = Field(default=None, max_length=32)
    slack_ts: str | None = Field(default=None, max_length=32)


class Relationship(SQLModel, table=True):
    """A mentoring, coaching, group-coaching or observation arrangement between people."""

    __tablename__ = "relationships"
    __table_args__ = (UniqueConstraint("request_id", name="uq_relationships_request"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    request_id: int | None = Field(default=None, foreign_key="requests.id")
    kind: str = Field(max_length=32)
    status: str = Field(default="active", max_length=16, index=True)
    channel_id: str | None = Field(default=None, max_length=32)
    topic: str = Field(default="", max_length=200)
    last_activity_at: datetime | None = None
    at_risk_since: datetime | None = None
    at_risk_reasons: str = Field(default="", max_length=200)
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    end_reason: str | None = Field(default=None, max_length=32)


class RelationshipMember(SQLModel, table=True):
    """A person in a relationship: one guide (mentor or coach) and one or more learners."""

    __tablename__ = "relationship_members"
    __table_args__ = (
        UniqueConstraint("relationship_id", "person_id", name="uq_member_relationship_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    relationship_id: int = Field(foreign_key="relationships.id", index=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    role: str = Field(max_length=16)


class Agreement(SQLModel, table=True):
    """One version of the contract between the people of a relationship."""

    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("relationship_id", "version", name="uq_agreement_relationship_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    relationship_id: int = Field(foreign_key="relationships.id", index=True)
    version: int = Field(default=1)
    status: str = Field(default="draft", max_length=16)
    terms: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    proposed_at: datetime | None = None
    activated_at: datetime | None = None
    summary_channel: str | None = Field(default=None, max_length=32)
    summary_ts: str | None = Field(default=None, max_length=32)


class AgreementConfirmation(SQLModel, table=True):
    """One person's yes to one version of an agreement."""

    __tablename__ = "agreement_confirmations"
    __table_args__ = (
        UniqueConstraint("agreement_id", "person_id", name="uq_confirmation_agreement_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    person_id: int = Field(foreign_key="people.id")
    confirmed_at: datetime = Field(default_factory=utcnow)


class PlanItem(SQLModel, table=True):
    """A goal, deliverable, resource or subject-matter expert in an agreement's learning plan."""

    __tablename__ = "plan_items"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    item_type: str = Field(max_length=16)
    title: str = Field(default="", max_length=300)
    detail: str = Field(default="")
    due_on: date | None = None
    state: str = Field(default="open", max_length=16)


class Checkpoint(SQLModel, table=True):
    """A moment when both people assess progress against the plan."""

    __tablename__ = "checkpoints"
    __table_args__ = (
        Index("ix_checkpoints_status_due", "status", "due_at"),
        Index("ix_checkpoints_relationship_status_due", "relationship_id", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    relationship_id: int = Field(foreign_key="relationships.id")
    agreement_id: int | None = Field(default=None, foreign_key="agreements.id")
    title: str = Field(default="", max_length=300)
    reason: str = Field(default="cadence", max_length=16)
    due_at: datetime
    status: str = Field(default="scheduled", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None


class Nudge(SQLModel, table=True):
    """A DM the clock owes someone. `dedupe_key` makes each one unique, so none is sent twice."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_nudges_dedupe_key"),
        Index("ix_nudges_status_send_at", "status", "send_at"),
        Index("ix_nudges_checkpoint_id", "checkpoint_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    person_id: int | None = Field(default=None, foreign_key="people.id", index=True)
    channel: str | None = Field(default=None, max_length=32)
    relationship_id: int | None = Field(default=None, foreign_key="relationships.id")
    checkpoint_id: int | None = Field(default=None, foreign_key="checkpoints.id")
    checkpoint_due_at: datetime | None = None
    request_id: int | None = Field(default=None, foreign_key="requests.id")
    kind: str = Field(max_length=32)
    reasons: str = Field(default="", max_length=500)
    dedupe_key: str = Field(max_length=200)
    send_at: datetime
    status: str = Field(default="pending", max_length=16)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    attempts: int = Field(default=0)
    sent_at: datetime | None = None
    slack_channel: str | None = Field(default=None, max_length=32)
    slack_ts: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dm_id: int | None = Field(default=None, foreign_key="bot_dms.id", index=True)


class BotDm(SQLModel, table=True):
    """One DM the bot sent (or reserved to send) to a person on its own initiative: what the
    weekly budget counts (bot/dm_budget.py) and what tells whether nudges go unanswered."""

    __tablename__ = "bot_dms"
    __table_args__ = (Index("ix_bot_dms_person_sent", "person_id", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    person_id: int = Field(foreign_key="people.id")
    kind: str = Field(max_length=32)
    priority: int = Field(default=0)
    items: int = Field(default=1)
    sent_at: datetime
    needs_answer: bool = Field(default=False)
    answered_at: datetime | None = None


class Assessment(SQLModel, table=True):
    """How one person says a checkpoint went. The note is private to the relationship."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("checkpoint_id", "person_id", name="uq_assessment_checkpoint_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    checkpoint_id: int = Field(foreign_key="checkpoints.id", index=True)
    person_id: int = Field(foreign_key="people.id")
    progress: str = Field(max_length=16)
    note: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Reflection(SQLModel, table=True):
    """A short note by one person on what they learned; private to its author unless shared."""

    __tablename__ = "reflections"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    relationship_id: int | None = Field(default=None, foreign_key="relationships.id", index=True)
    author_id: int = Field(foreign_key="people.id", index=True)
    checkpoint_id: int | None = Field(default=None, foreign_key="checkpoints.id")
    learned: str = Field(default="")
    next_step: str = Field(default="")
    usefulness: int | None = None
    shared_with_partner: bool = Field(default=False)
    counts_in_reports: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class Appreciation(SQLModel, table=True):
    __tablename__ = "appreciations"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    from_id: int = Field(foreign_key="people.id", index=True)
    to_id: int = Field(foreign_key="people.id", index=True)
    relationship_id: int | None = Field(default=None, foreign_key="relationships.id")
    message: str = Field(default="")
    public: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class MentorReport(SQLModel, table=True):
    """The mentor's or coach's report to the organisation, at closure or periodically."""

    __tablename__ = "mentor_reports"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    relationship_id: int = Field(foreign_key="relationships.id", index=True)
    author_id: int = Field(foreign_key="people.id")
    occasion: str = Field(default="final", max_length=16)
    goals_reached: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    progress: str = Field(default="")
    learned: str = Field(default="")
    recommendations: str = Field(default="")
    shared_with_learners: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class PoolExclusion(SQLModel, table=True):
    """Someone a volunteer asked never to be paired with; private to the volunteer."""

    __tablename__ = "pool_exclusions"
    __table_args__ = (UniqueConstraint("person_id", "avoided_id", name="uq_pool_exclusion_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    avoided_id: int = Field(foreign_key="people.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Coordinator(SQLModel, table=True):
    """A coordinator added in Slack by another coordinator (configured ones live in settings)."""

    __tablename__ = "coordinators"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id", name="uq_coordinator"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    slack_user_id: str = Field(max_length=32)
    added_by: str = Field(max_length=32)
    added_at: datetime = Field(default_factory=utcnow)


class PulseResponse(SQLModel, table=True):
    """One person's answer to a periodic pulse survey: a 1-5 rating and an optional suggestion
    for the program, which the survey says coordinators will read."""

    __tablename__ = "pulse_responses"
    __table_args__ = (
        UniqueConstraint("relationship_id", "person_id", "period", name="uq_pulse_answer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    relationship_id: int = Field(foreign_key="relationships.id", index=True)
    person_id: int = Field(foreign_key="people.id")
    period: str = Field(max_length=16)
    rating: int | None = None
    suggestion: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who did what, when: coordinator views, exports, assignments, data requests, refusals."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    actor_slack_id: str = Field(max_length=32)
    action: str = Field(max_length=64)
    subject: str = Field(default="", max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class SlackEventReceipt(SQLModel, table=True):
    """Event ids already handled, so Slack's retries of an event never do the work twice."""

    __tablename__ = "slack_event_receipts"
    __table_args__ = (UniqueConstraint("team_id", "event_id", name="uq_event_receipt"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    event_id: str = Field(max_length=64)
    received_at: datetime = Field(default_factory=utcnow)


ALL_TABLES: tuple[type[SQLModel], ...] = (
    Person,
    Offer,
    MentoringRequest,
    Invitation,
    Relationship,
    RelationshipMember,
    Agreement,
    AgreementConfirmation,
    PlanItem,
    Checkpoint,
    BotDm,
    Nudge,
    Assessment,
    Reflection,
    Appreciation,
    MentorReport,
    PoolExclusion,
    Coordinator,
    PulseResponse,
    AuditEvent,
    SlackEventReceipt,
)
