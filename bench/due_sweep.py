"""The clock's due-sweep at scale: the two queries every tick runs, on a million rows each.

For each backend (a temporary SQLite file always; PostgreSQL when MENTORBOT_BENCH_DATABASE_URL
is set) this migrates a fresh database with `storage.db.upgrade`, bulk-loads 20,000
relationships with 1,000,000 checkpoints spread over ±2 years around now and 1,000,000 nudges
(mostly sent or skipped, a few pending or claimed around now), runs ANALYZE, then times through
a real `storage.db.Database` session, median of 20 runs after a warm-up:

- `storage.checkpoints.scheduled_between(session, start=now, end=now + 14 days)`
- `storage.nudges.due_ids(session, now=now, limit=200)`

and prints the plan of the exact SQL each one emits (captured from the engine), checking that
it uses ix_checkpoints_status_due / ix_nudges_status_send_at rather than a full scan. Beside
each timing, a "SQL only" row times the same SQL on a bare connection (the database's share;
the rest is Session and ORM), and a "backlog" row times due_ids as if the clock had been down
for 14 days. The load itself is timed too (rows generated in Python and streamed: executemany
on SQLite, COPY on PostgreSQL; secondary indexes and constraints of the two big tables are
dropped for the load and re-created from the catalog's own definitions afterwards).

The data is generated in bench/_due_sweep_data.py and loaded by bench/_due_sweep_load.py; the
plans are captured and read by bench/_plans.py.

WARNING: the PostgreSQL database named by MENTORBOT_BENCH_DATABASE_URL is wiped: every
Mentorbot table in it is dropped and re-created. Point it at a database of its own.

    python bench/due_sweep.py                # SQLite only
    MENTORBOT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55433/bench_sweep \
        python bench/due_sweep.py            # SQLite and PostgreSQL
    MENTORBOT_BENCH_SCALE=0.05 python bench/due_sweep.py   # a quick smoke run (5% of the rows)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/due_sweep.py`

from sqlalchemy import func
from sqlmodel import col, select

from bench._bulk import _analyze
from bench._due_sweep_data import Sizes
from bench._due_sweep_load import _load_postgres, _load_sqlite, _reset_postgres
from bench._plans import Plan, _capture_selects, _explain
from bench.common import (
    PG_SKIPPED,
    PG_URL_ENV,
    RESULTS,
    SCALE_ENV,
    Row,
    median_ms,
    missed,
    print_table,
    write_json,
)
from bot.nudge_plan import HORIZON
from bot.nudge_send import BATCH
from storage import checkpoints, nudges
from storage.db import READ_ONLY_OPTION, Database, upgrade
from storage.models import Checkpoint, Nudge

REPEAT = 20
TARGET_MS = 50.0
LOAD_TARGET_S = 120.0

CHECKPOINT_INDEX = "ix_checkpoints_status_due"
NUDGE_INDEX = "ix_nudges_status_send_at"


def _count(database: Database, statement: Any) -> int:
    with database.reading() as session:
        return int(session.exec(statement).one())


def _bench_backend(label: str, url: str, sizes: Sizes, now: datetime) -> list[Row]:
    prefix = f"due_sweep {label}"
    print(f"\n== {label}: migrate and load", flush=True)
    if not url.startswith("sqlite"):
        _reset_postgres(url)
    upgrade(url)
    database = Database.from_url(url)
    try:
        started = time.perf_counter()
        loader = _load_sqlite if url.startswith("sqlite") else _load_postgres
        counts = loader(database.engine, sizes, now)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        _analyze(database.engine)
        analyze_s = time.perf_counter() - started
        loaded = sum(counts.values())
        print(
            f"{label}: loaded {loaded:,} rows in {load_s:.1f} s ({counts}); "
            f"ANALYZE {analyze_s:.1f} s",
            flush=True,
        )

        checkpoint_rows = _count(database, select(func.count()).select_from(Checkpoint))
        nudge_rows = _count(database, select(func.count()).select_from(Nudge))
        end = now + HORIZON
        in_window = _count(
            database,
            select(func.count())
            .select_from(Checkpoint)
            .where(
                col(Checkpoint.status) == "scheduled",
                col(Checkpoint.due_at) >= now,
                col(Checkpoint.due_at) < end,
            ),
        )

        def sweep_checkpoints() -> int:
            with database.transaction() as session:  # as bot.nudge_plan.plan does
                return len(checkpoints.scheduled_between(session, start=now, end=end))

        def sweep_nudges() -> int:
            with database.reading() as session:  # as bot.nudge_send.send_due does
                return len(nudges.due_ids(session, now=now, limit=BATCH))

        rows = [
            Row(f"{prefix}: checkpoints", checkpoint_rows, "rows"),
            Row(f"{prefix}: nudges", nudge_rows, "rows"),
            Row(
                f"{prefix}: load",
                load_s,
                "s",
                f"< {LOAD_TARGET_S:.0f} s",
                load_s < LOAD_TARGET_S,
                f"{loaded:,} rows incl. {sizes.relationships:,} relationships, "
                f"{sizes.people:,} people; ANALYZE {analyze_s:.1f} s",
            ),
        ]
        for name, sweep, table, index in (
            ("scheduled_between(now, now+14d)", sweep_checkpoints, "checkpoints", CHECKPOINT_INDEX),
            (f"due_ids(now, limit={BATCH})", sweep_nudges, "nudges", NUDGE_INDEX),
        ):
            with _capture_selects(database.engine) as seen:
                returned = sweep()
            statement, parameters = seen[-1]
            plan = _explain(database.engine, statement, parameters, table, index)
            timing = median_ms(sweep, REPEAT)
            sql_only = median_ms(_raw_query(database, statement, parameters), REPEAT)
            _print_plan(label, name, statement, parameters, plan)
            note = f"p95 {timing.p95_ms:.1f} ms; {returned:,} rows returned"
            if name.startswith("scheduled_between"):
                note += f" of {in_window:,} scheduled in the window"
                if returned < in_window:
                    note += " (LIMIT hit)"
            rows += [
                Row(
                    f"{prefix}: {name}",
                    timing.median_ms,
                    "ms",
                    f"< {TARGET_MS:.0f} ms",
                    timing.median_ms < TARGET_MS,
                    note,
                ),
                Row(
                    f"{prefix}: {name} SQL only",
                    sql_only.median_ms,
                    "ms",
                    note=f"p95 {sql_only.p95_ms:.1f} ms; same SQL, raw rows, no Session or ORM",
                ),
                Row(
                    f"{prefix}: {name} plan",
                    "index" if plan.uses_index else "NO INDEX",
                    "",
                    index,
                    plan.uses_index,
                    plan.verdict,
                ),
            ]
        rows.append(_backlog_row(database, prefix, now + HORIZON))
        return rows
    finally:
        database.dispose()


def _backlog_row(database: Database, prefix: str, at: datetime) -> Row:
    """The same due_ids query as if the clock had been down until `at`: its cost grows with
    the number of due nudges (no target; the per-tick figure above has one)."""
    pending_due = _count(
        database,
        select(func.count())
        .select_from(Nudge)
        .where(col(Nudge.status) == "pending", col(Nudge.send_at) <= at),
    )

    def sweep() -> int:
        with database.reading() as session:
            return len(nudges.due_ids(session, now=at, limit=BATCH))

    timing = median_ms(sweep, REPEAT)
    return Row(
        f"{prefix}: due_ids(now+14d, limit={BATCH}) backlog",
        timing.median_ms,
        "ms",
        note=f"p95 {timing.p95_ms:.1f} ms; as if the clock were down 14 days: "
        f"{pending_due:,} pending nudges due",
    )


def _raw_query(database: Database, statement: str, parameters: Any) -> Callable[[], int]:
    """The captured SQL run on a bare connection: the database's share of the time."""
    engine = database.engine.execution_options(**{READ_ONLY_OPTION: True})

    def query() -> int:
        with engine.connect() as connection:
            return len(connection.exec_driver_sql(statement, parameters).fetchall())

    return query


def _print_plan(label: str, name: str, statement: str, parameters: Any, plan: Plan) -> None:
    block = (
        f"\n-- {label}: {name}\n{' '.join(statement.split())}\n-- parameters: {parameters!r}\n"
        f"{plan.text}\n-- {plan.verdict}\n"
    )
    print(block, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "due_sweep_plans.txt").open("a", encoding="utf-8") as out:
        out.write(block)


def run(*, scale: float | None = None) -> list[Row]:
    """Bench SQLite, and PostgreSQL when MENTORBOT_BENCH_DATABASE_URL is set."""
    if scale is None:
        scale = float(os.environ.get(SCALE_ENV, "1"))
    postgres = os.environ.get(PG_URL_ENV, "").strip()
    if postgres and not postgres.startswith("postgresql+psycopg://"):
        raise ValueError(f"{PG_URL_ENV} must use the psycopg 3 scheme: postgresql+psycopg://…")
    sizes = Sizes.scaled(scale)
    now = datetime.now(UTC).replace(microsecond=0)
    (RESULTS / "due_sweep_plans.txt").unlink(missing_ok=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as directory:
        rows += _bench_backend("SQLite", f"sqlite:///{directory}/sweep.db", sizes, now)
    if postgres:
        rows += _bench_backend("PostgreSQL", postgres, sizes, now)
    else:
        print(f"PostgreSQL: {PG_SKIPPED}", flush=True)
        rows.append(Row("due_sweep PostgreSQL", "skipped", note=f"set {PG_URL_ENV}"))
    return rows


def main() -> int:
    rows = run()
    print()
    print_table(rows)
    path = write_json(rows, "due_sweep.json")
    print(f"\nwrote {path}")
    return 1 if missed(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
