"""Small helpers shared by tests: waiting for work done after an ack, and database snapshots."""

from __future__ import annotations

import time
from collections.abc import Callable
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
