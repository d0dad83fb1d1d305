"""The audit log: who did what, when."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import AuditEvent


def record(
    session: Session,
    *,
    team_id: str,
    actor: str,
    action: str,
    at: datetime,
    subject: str = "",
    detail: Mapping[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            team_id=team_id,
            actor_slack_id=actor,
            action=action,
            subject=subject,
            detail=dict(detail or {}),
            created_at=at,
        )
    )
