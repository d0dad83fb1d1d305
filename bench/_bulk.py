"""Helpers for generating and bulk-loading bench rows, shared by the benches that load a big
database: timestamps as text, weighted choices, chunking, SQLite's stored timestamp format
and the ANALYZE after a load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate, islice
from typing import Any

from sqlalchemy import Engine

from storage.models import Checkpoint

Stamp = Callable[[int], str]  # seconds from now -> the timestamp text the database parses
TableRows = tuple[str, tuple[str, ...], Iterable[tuple[Any, ...]]]


def _stamper(now: datetime, suffix: str) -> Stamp:
    base = now.astimezone(UTC).replace(tzinfo=None)

    def stamp(seconds: int) -> str:
        return (base + timedelta(seconds=seconds)).isoformat(" ", "microseconds") + suffix

    return stamp


def _picker(rand: Callable[[], float], weighted: dict[str, float]) -> Callable[[], str]:
    """A weighted choice that is cheaper than random.choices when called a million times."""
    total = sum(weighted.values())
    edges = list(zip(accumulate(w / total for w in weighted.values()), weighted, strict=True))
    last = edges[-1][1]

    def pick() -> str:
        draw = rand()
        for edge, option in edges:
            if draw < edge:
                return option
        return last

    return pick


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _sqlite_stamp(engine: Engine, now: datetime) -> Stamp:
    """Timestamps as SQLAlchemy stores them in SQLite (UTC text), checked against its own bind
    processor so the bench cannot drift from the app's storage format."""
    stamp = _stamper(now, "")
    column_type = Checkpoint.__table__.c.due_at.type  # type: ignore[attr-defined]
    processor = column_type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
    expected = processor(now + timedelta(seconds=12345))
    assert expected == stamp(12345), (expected, stamp(12345))
    return stamp


def _analyze(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        return
    # VACUUM cannot run in a transaction. VACUUM (ANALYZE) rather than plain ANALYZE also sets
    # the visibility map, as autovacuum would soon after a bulk load in production.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")
