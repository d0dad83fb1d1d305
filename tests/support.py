"""Small helpers shared by tests: waiting for work done after an ack, and database snapshots."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC
from typing import Any, TypeVar

from sqlalchemy import select
from sqlmodel import SQLModel

from storage.db import Database

T = TypeVar("T")


def eventually(probe: Callable[[], T], *, timeout: float = 5.0, interval: float = 0.02) -> T:
    """Return the first truthy value of `probe()`, failing after `timeout` seconds.

    Listeners keep working after they ack (that is how Slack apps answer within 3 s), so a test
    that checks the work's effects waits for them instead of sleeping a fixed time."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        time.sleep(interval)


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal snapshots mean nothing changed."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with database.reading() as session:
        for table in SQLModel.metadata.sorted_tables:
            ordered = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in session.execute(ordered)]
    return rows


def seed_pair(
    database: Database,
    *,
    guide: tuple[str, str],
    learner: tuple[str, str],
    due: list[Any],
    team_id: str = "T0EMULATOR",
    at: Any = None,
) -> tuple[int, list[int]]:
    """A relationship straight in the database: (slack id, tz) for each person, checkpoints at
    the given aware datetimes. Returns (relationship id, checkpoint ids)."""
    from datetime import datetime

    from storage import people, relationships
    from storage.models import Checkpoint

    started = at or datetime(2026, 1, 5, tzinfo=UTC)
    with database.transaction() as session:
        ids = []
        for slack_id, tz in (guide, learner):
            person = people.seen(session, team_id=team_id, slack_user_id=slack_id, at=started)
            people.update_profile(session, person, display_name=slack_id, tz=tz)
            ids.append(int(person.id or 0))
        relationship = relationships.start_group(
            session,
            team_id=team_id,
            kind="coaching",
            topic="",
            guide_id=ids[0],
            learner_ids=[ids[1]],
            at=started,
        )
        made = []
        for n, moment in enumerate(due, start=1):
            checkpoint = Checkpoint(
                team_id=team_id,
                relationship_id=int(relationship.id or 0),
                title=f"Checkpoint {n}",
                due_at=moment,
                created_at=started,
            )
            session.add(checkpoint)
            session.flush()
            made.append(int(checkpoint.id or 0))
        return int(relationship.id or 0), made
