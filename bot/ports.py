"""The outside world as the domain sees it: small protocols that handlers/ implements with Slack
and tests implement with fakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Profile:
    slack_user_id: str
    display_name: str
    tz: str | None
    is_bot: bool = False
    deleted: bool = False


class Directory(Protocol):
    """Who a Slack user is: name and IANA time zone (Slack's users.info)."""

    def profile(self, slack_user_id: str) -> Profile | None: ...


@dataclass(frozen=True)
class NudgeMessage:
    """Everything a DM or a coordinator post about a checkpoint needs; no private text."""

    nudge_id: int
    kind: str  # before | assess | missed | pulse | at_risk | merged | request_waiting | …
    slack_user_id: str | None
    channel: str | None
    relationship_id: int | None
    checkpoint_id: int | None
    checkpoint_title: str
    due_at: datetime | None
    partners: tuple[str, ...]
    plan_items: tuple[str, ...]
    reasons: tuple[str, ...]
    attempts: int
    # kind "merged": the nudges that go as one digest DM (the nudge budget merged them).
    items: tuple[NudgeMessage, ...] = ()
    # A DM a listener rendered and the budget deferred: sent as it is ("text", "blocks").
    payload: dict[str, Any] = field(default_factory=dict)
    request_id: int | None = None
    """Set for messages about a waiting request (its service level)."""
    request_kind: str = ""
    """mentor | coach, for a message about a request."""
    request_summary: str = ""
    """The one line the requester chose to share with coordinators (never the need)."""
    requester: str | None = None


@dataclass(frozen=True)
class Delivered:
    channel: str
    ts: str


class SendFailed(Exception):
    """Slack did not take the message. `transient` failures are retried with backoff."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.transient = transient


class NudgeSender(Protocol):
    """Sends nudges, and can tell whether an earlier attempt already posted one."""

    def already_sent(self, message: NudgeMessage) -> Delivered | None: ...

    def send(self, message: NudgeMessage) -> Delivered: ...
