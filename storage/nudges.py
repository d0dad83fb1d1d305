"""Queries for the nudge outbox: planning, claiming, and recording what was sent.

A nudge moves pending → claimed → sent (or skipped). Claiming is a conditional UPDATE that only
one process can win, and a claim is a lease: if the process dies before it records the send,
the claim expires and another process may take the nudge over (after checking Slack for a
message it might already have posted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, union_all, update
from sqlmodel import Session, col, select

from storage.models import Nudge
from storage.upsert import insert_or_update


def plan(session: Session, values: Mapping[str, Any]) -> bool:
    """Add a nudge unless one with the same dedupe key exists; True when this call added it."""
    return insert_or_update(
        session, Nudge, {"status": "pending", "attempts": 0, **values}, conflict=("dedupe_key",)
    )


def due_ids(session: Session, *, now: datetime, limit: int) -> Sequence[int]:
    """Nudges ready to send: pending and due, or claimed by a process whose lease ran out.

    Two ordered, limited branches, each served by the (status, send_at) index, so the cost
    stays flat however large a backlog grows while the clock is down."""
    pending = (
        select(Nudge.id, Nudge.send_at)
        .where(col(Nudge.status) == "pending", col(Nudge.send_at) <= now)
        .order_by(col(Nudge.send_at))
        .limit(limit)
        .subquery()
    )
    stale = (
        select(Nudge.id, Nudge.send_at)
        .where(col(Nudge.status) == "claimed", col(Nudge.claimed_until) < now)
        .order_by(col(Nudge.send_at))
        .limit(limit)
        .subquery()
    )
    both = union_all(
        select(pending.c.id, pending.c.send_at), select(stale.c.id, stale.c.send_at)
    ).subquery()
    statement = select(both.c.id).order_by(both.c.send_at).limit(limit)
    return [int(nudge_id) for nudge_id in session.execute(statement).scalars().all()]


def claim(
    session: Session, *, nudge_id: int, worker: str, now: datetime, until: datetime
) -> Nudge | None:
    """Take the nudge for this worker; None when another worker has it or it is done."""
    result = session.execute(
        update(Nudge)
        .where(
            col(Nudge.id) == nudge_id,
            or_(
                (col(Nudge.status) == "pending") & (col(Nudge.send_at) <= now),
                (col(Nudge.status) == "claimed") & (col(Nudge.claimed_until) < now),
            ),
        )
        .values(
            status="claimed", claimed_by=worker, claimed_until=until, attempts=Nudge.attempts + 1
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return session.get(Nudge, nudge_id, populate_existing=True)


def finish(
    session: Session,
    *,
    nudge_id: int,
    worker: str,
    status: str,
    at: datetime,
    channel: str | None = None,
    ts: str | None = None,
    error: str | None = None,
) -> bool:
    """Record the outcome of a claimed nudge (sent or skipped), only if this worker still
    holds the claim."""
    result = session.execute(
        update(Nudge)
        .where(
            col(Nudge.id) == nudge_id,
            col(Nudge.status) == "claimed",
            col(Nudge.claimed_by) == worker,
        )
        .values(
            status=status,
            sent_at=at if status == "sent" else None,
            slack_channel=channel,
            slack_ts=ts,
            last_error=error[:200] if error else None,
            claimed_until=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(
    session: Session,
    *,
    nudge_id: int,
    worker: str,
    retry_at: datetime,
    error: str,
    counts_as_attempt: bool = True,
) -> bool:
    """Give a claimed nudge back to go again at `retry_at`: after a failed attempt (Slack was
    busy or down), or deferred by the person's DM budget or pause, which is not an attempt."""
    values: dict[str, Any] = {
        "status": "pending",
        "send_at": retry_at,
        "claimed_by": None,
        "claimed_until": None,
        "last_error": error[:200],
    }
    if not counts_as_attempt:
        values["attempts"] = Nudge.attempts - 1
    result = session.execute(
        update(Nudge)
        .where(
            col(Nudge.id) == nudge_id,
            col(Nudge.status) == "claimed",
            col(Nudge.claimed_by) == worker,
        )
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def skip_pending(
    session: Session, *, checkpoint_id: int, kinds: Sequence[str], person_id: int | None = None
) -> int:
    """Skip nudges not yet sent about a checkpoint (it was done, moved or removed)."""
    statement = update(Nudge).where(
        col(Nudge.checkpoint_id) == checkpoint_id,
        col(Nudge.status) == "pending",
        col(Nudge.kind).in_(kinds),
    )
    if person_id is not None:
        statement = statement.where(col(Nudge.person_id) == person_id)
    result = session.execute(statement.values(status="skipped", last_error="no longer needed"))
    return int(result.rowcount)  # type: ignore[attr-defined]


def get(session: Session, nudge_id: int) -> Nudge | None:
    return session.get(Nudge, nudge_id)


def existing_keys(session: Session, *, keys: Sequence[str]) -> set[str]:
    """Which of these dedupe keys are planned already (the unique index answers it)."""
    found: set[str] = set()
    unique = sorted(set(keys))
    for start in range(0, len(unique), 1000):
        statement = select(Nudge.dedupe_key).where(
            col(Nudge.dedupe_key).in_(unique[start : start + 1000])
        )
        found.update(session.exec(statement).all())
    return found


def owners(session: Session, *, nudge_ids: Sequence[int]) -> dict[int, int | None]:
    """nudge id -> the person it goes to (None for a channel post)."""
    if not nudge_ids:
        return {}
    statement = select(Nudge.id, Nudge.person_id).where(col(Nudge.id).in_(list(nudge_ids)))
    return {int(nudge_id or 0): person_id for nudge_id, person_id in session.exec(statement)}


def attach_dm(session: Session, *, nudge_ids: Sequence[int], dm_id: int) -> None:
    """These nudges go together as the DM `dm_id` (one, or several merged into a digest)."""
    session.execute(update(Nudge).where(col(Nudge.id).in_(list(nudge_ids))).values(dm_id=dm_id))


def with_dm(session: Session, *, dm_id: int) -> Sequence[Nudge]:
    statement = select(Nudge).where(col(Nudge.dm_id) == dm_id).order_by(col(Nudge.id))
    return session.exec(statement).all()


def claim_many(
    session: Session, *, nudge_ids: Sequence[int], worker: str, now: datetime, until: datetime
) -> list[Nudge]:
    """`claim` for several nudges (one person's) in one statement: those this worker won."""
    if not nudge_ids:
        return []
    session.execute(
        update(Nudge)
        .where(
            col(Nudge.id).in_(list(nudge_ids)),
            or_(
                (col(Nudge.status) == "pending") & (col(Nudge.send_at) <= now),
                (col(Nudge.status) == "claimed") & (col(Nudge.claimed_until) < now),
            ),
        )
        .values(
            status="claimed", claimed_by=worker, claimed_until=until, attempts=Nudge.attempts + 1
        )
        .execution_options(synchronize_session=False)
    )
    won = (
        select(Nudge)
        .where(
            col(Nudge.id).in_(list(nudge_ids)),
            col(Nudge.status) == "claimed",
            col(Nudge.claimed_by) == worker,
            col(Nudge.claimed_until) == until,
        )
        .order_by(col(Nudge.id))
        .execution_options(populate_existing=True)
    )
    return list(session.exec(won).all())
