"""Trying the indexes a slow status query lacks: advice for each slow query, and each candidate
index created for real, the slow queries and every command's round trip timed again, then
dropped so the schema stays the migrations'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from bench._plans import _capture_selects
from bench._status_measure import (
    REPEAT,
    Measured,
    RunningApp,
    _append_plans,
    _plans,
    _replay,
    _round_trip,
)
from bench.common import Row, Timing, median_ms


@dataclass(frozen=True)
class Candidate:
    """An index a slow storage query lacks: created in the bench database, timed, dropped."""

    name: str
    table: str
    columns: tuple[str, ...]
    replaces: str  # the existing index whose columns are a prefix of this one's
    why: str

    @property
    def ddl(self) -> str:
        return f"CREATE INDEX {self.name} ON {self.table} ({', '.join(self.columns)})"


# Indexes this bench once found missing and that now ship in the migrations (0007 added
# ix_checkpoints_relationship_status_due); add a Candidate here to try a new one.
CANDIDATES: dict[str, tuple[Candidate, ...]] = {}
MANY_ROWS = 5_000  # a query returning this many rows for Python to aggregate is the problem


def _execute(engine: Engine, *statements: str) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def _advise(item: Measured) -> None:
    """What would make a slow query fast: its missing index, or aggregating in SQL."""
    for candidate in CANDIDATES.get(item.call.function.__name__, ()):
        print(
            f"-- missing index: {candidate.ddl};\n"
            f"--   (it can replace {candidate.replaces}, whose column is its prefix)\n"
            f"--   {candidate.why}\n--   tried below, then dropped",
            flush=True,
        )
    if item.rows >= MANY_ROWS:
        print(
            f"-- it returns {item.rows:,} rows for Python to aggregate (SQL alone "
            f"{item.sql_only.median_ms:.1f} ms of {item.timing.median_ms:.1f} ms): no index fixes "
            "that; aggregate in SQL (one row per week, say) so a handful of rows come back",
            flush=True,
        )
    elif item.call.function.__name__ not in CANDIDATES:
        print("-- no index suggestion for it: read the plan above", flush=True)


@dataclass(frozen=True)
class Trip:
    """One command's round trip as measured, to compare with the same under a candidate index."""

    name: str  # "status <backend>: <the command>"
    args: str
    timing: Timing


def _try_indexes(app: RunningApp, slow: Sequence[Measured], trips: Sequence[Trip]) -> list[Row]:
    """Each candidate index of a slow query: created and ANALYZEd; the slow calls timed again
    with their new plans printed, and every command's round trip; then dropped (the database is
    left as the migrations made it)."""
    services = app.services
    engine = services.database.engine
    rows = []
    candidates = {
        candidate.name: candidate
        for item in slow
        for candidate in CANDIDATES.get(item.call.function.__name__, ())
    }
    for candidate in candidates.values():
        helped = [
            item for item in slow if candidate in CANDIDATES.get(item.call.function.__name__, ())
        ]
        print(f"\n-- trying {candidate.ddl}", flush=True)
        _execute(engine, candidate.ddl, f"ANALYZE {candidate.table}")
        try:
            for item in helped:
                query = _replay(services, item.call)
                timing = median_ms(query, REPEAT)
                with _capture_selects(engine) as statements:
                    query()
                plans, _ = _plans(engine, statements)
                title = f"{item.heading}: {item.call.label} with {candidate.name}"
                print(
                    f"\n-- {title}: {item.timing.median_ms:.1f} -> {timing.median_ms:.1f} ms",
                    flush=True,
                )
                print("\n".join(plans), flush=True)
                _append_plans(f"{title}: median {timing.median_ms:.1f} ms", plans)
                rows.append(
                    Row(
                        f"{item.heading}: {item.call.label} + index",
                        timing.median_ms,
                        "ms",
                        note=f"was {item.timing.median_ms:.1f} ms; p95 {timing.p95_ms:.1f} ms; "
                        f"with {candidate.name} {candidate.columns}, tried and dropped",
                    )
                )
            for trip in trips:
                timing, problem = _round_trip(app, trip.args)
                note = f"was {trip.timing.median_ms:.1f} ms; p95 {timing.p95_ms:.1f} ms"
                if problem is not None:
                    note = f"WRONG ANSWER: {problem}; {note}"
                rows.append(
                    Row(
                        f"{trip.name}: round trip + index",
                        timing.median_ms,
                        "ms",
                        note=f"{note}; with {candidate.name}",
                    )
                )
        finally:
            _execute(engine, f"DROP INDEX {candidate.name}", f"ANALYZE {candidate.table}")
    return rows
