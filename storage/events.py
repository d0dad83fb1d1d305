"""Slack event receipts: what makes a retried event a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import SlackEventReceipt
from storage.upsert import insert_or_update


def first_receipt(session: Session, *, team_id: str, event_id: str, at: datetime) -> bool:
    """Record the event id; True only for the first delivery of that event."""
    return insert_or_update(
        session,
        SlackEventReceipt,
        {"team_id": team_id, "event_id": event_id, "received_at": at},
        conflict=("team_id", "event_id"),
    )
