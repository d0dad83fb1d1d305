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

WARNING: the PostgreSQL database named by MENTORBOT_BENCH_DATABASE_URL is wiped: every
Mentorbot table in it is dropped and re-created. Point it at a database of its own.

    python bench/due_sweep.py                # SQLite only
    MENTORBOT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55433/bench_sweep \
        python bench/due_sweep.py            # SQLite and PostgreSQL
    MENTORBOT_BENCH_SCALE=0.05 python bench/due_sweep.py   # a quick smoke run (5% of the rows)
"""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/due_sweep.py`

from psycopg import sql
from sqlalchemy import Engine, event, func, text
from sqlmodel import SQLModel, col, select

from bench.common import (
    PG_SKIPPED,
    PG_URL_ENV,
    RESULTS,
    Row,
    median_ms,
    missed,
    print_table,
    write_json,
)
from bot.nudge_plan import HORIZON
from bot.nudge_send import BATCH
from storage import checkpoints, nudges
from storage.db import READ_ONLY_OPTION, Database, make_engine, upgrade
from storage.models import Checkpoint, Nudge

CHECKPOINTS = 1_000_000
NUDGES = 1_000_000
RELATIONSHIPS = 20_000
PEOPLE = 30_000
TEAMS = ("T0BENCH01", "T0BENCH02", "T0BENCH03", "T0BENCH04", "T0BENCH05")
SPREAD = timedelta(days=730)  # checkpoints lie within now ± SPREAD
REPEAT = 20
TARGET_MS = 50.0
LOAD_TARGET_S = 120.0
CHUNK = 50_000
SEED = 20261125
SCALE_ENV = "MENTORBOT_BENCH_SCALE"

CHECKPOINT_INDEX = "ix_checkpoints_status_due"
NUDGE_INDEX = "ix_nudges_status_send_at"


@dataclass(frozen=True)
class Sizes:
    people: int
    relationships: int
    checkpoints: int
    nudges: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        def n(full: int, least: int) -> int:
            return max(least, round(full * scale))

        return cls(
            people=n(PEOPLE, 50),
            relationships=n(RELATIONSHIPS, 20),
            checkpoints=n(CHECKPOINTS, 1000),
            nudges=n(NUDGES, 1000),
        )


# -- data ------------------------------------------------------------------------------------

Stamp = Callable[[int], str]  # seconds from now -> the timestamp text the database parses
TableRows = tuple[str, tuple[str, ...], Iterable[tuple[Any, ...]]]
DAY = 86_400


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


def _dataset(sizes: Sizes, now: datetime, stamp: Stamp) -> Iterator[TableRows]:
    """The tables to load, in foreign-key order, as (table, columns, rows): deterministic for
    a given `now`. Times are drawn as whole seconds from now and written with `stamp`."""
    rng = random.Random(SEED)
    rand = rng.random
    spread = int(SPREAD.total_seconds())
    epoch = int(now.timestamp())

    def below(n: int) -> int:
        return int(rand() * n)

    team_of = [TEAMS[i % len(TEAMS)] for i in range(max(sizes.people, sizes.relationships) + 1)]
    per_team: list[list[int]] = [[] for _ in TEAMS]
    for person_id in range(1, sizes.people + 1):
        per_team[person_id % len(TEAMS)].append(person_id)

    # Per relationship: when it ended (seconds from now, or None) and its members.
    ended: list[int | None] = [None]
    members: list[tuple[int, ...]] = [()]
    for relationship_id in range(1, sizes.relationships + 1):
        ended.append(-below(spread) if rand() < 0.2 else None)
        team = per_team[relationship_id % len(TEAMS)]
        members.append(tuple(rng.sample(team, 3 if rand() < 0.07 else 2)))

    def people() -> Iterator[tuple[Any, ...]]:
        zones = ("Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin", None)
        joined = stamp(-1100 * DAY)
        for person_id in range(1, sizes.people + 1):
            yield (
                person_id,
                team_of[person_id],
                f"U{person_id:09d}",
                f"Person {person_id}",
                zones[below(len(zones))],
                rand() < 0.03,
                joined,
                stamp(-below(90 * DAY)),
            )

    def relationships() -> Iterator[tuple[Any, ...]]:
        kind = _picker(
            rand, {"mentoring": 55, "coaching": 35, "group_coaching": 7, "observation": 3}
        )
        started = stamp(-spread)
        for relationship_id in range(1, sizes.relationships + 1):
            end = ended[relationship_id]
            yield (
                relationship_id,
                team_of[relationship_id],
                kind(),
                "active" if end is None else "ended",
                "",
                "",
                started,
                None if end is None else stamp(end),
                None if end is None else "completed",
            )

    def relationship_members() -> Iterator[tuple[Any, ...]]:
        member_id = 0
        for relationship_id in range(1, sizes.relationships + 1):
            for position, person_id in enumerate(members[relationship_id]):
                member_id += 1
                role = "guide" if position == 0 else "learner"
                yield (member_id, team_of[relationship_id], relationship_id, person_id, role)

    # Kept for the nudges, which point at checkpoints.
    checkpoint_relationship = array("i", [0])
    checkpoint_due = array("q", [0])

    def checkpoints_() -> Iterator[tuple[Any, ...]]:
        closed = _picker(rand, {"done": 75, "missed": 18, "cancelled": 7})
        for checkpoint_id in range(1, sizes.checkpoints + 1):
            relationship_id = 1 + below(sizes.relationships)
            due = (below(2 * spread) - spread) // 900 * 900  # on the quarter hour
            checkpoint_relationship.append(relationship_id)
            checkpoint_due.append(due)
            end = ended[relationship_id]
            draw = rand()
            if end is not None and due > end:
                status = "cancelled"  # the relationship ended before it
            elif due >= 0:
                status = "scheduled" if draw < 0.96 else "cancelled"
            elif due > -3 * DAY:  # waiting for assessments, not closed yet
                status = "scheduled" if draw < 0.9 else "done"
            elif due > -14 * DAY and draw < 0.05:  # the clock has not closed it yet
                status = "scheduled"
            else:
                status = closed()
            completed = min(0, due + 3600 * (1 + below(71))) if status == "done" else None
            yield (
                checkpoint_id,
                team_of[relationship_id],
                relationship_id,
                "Checkpoint",
                "cadence" if rand() < 0.9 else "deliverable",
                stamp(due),
                status,
                stamp(min(0, due - DAY * (7 + below(53)))),
                None if completed is None else stamp(completed),
            )

    def nudges_() -> Iterator[tuple[Any, ...]]:
        kind_of = _picker(rand, {"before": 45, "assess": 40, "missed": 12, "at_risk": 3})
        for nudge_id in range(1, sizes.nudges + 1):
            checkpoint_id = 1 + below(sizes.checkpoints)
            relationship_id = checkpoint_relationship[checkpoint_id]
            kind = kind_of()
            draw = rand()
            claimed_by = claimed_until = sent_at = slack_channel = slack_ts = None
            attempts = 1
            if draw < 0.015:  # pending: due from two days ago to the end of the horizon
                status = "pending"
                send_at = below(16 * DAY) - 2 * DAY
                attempts = 0
            elif draw < 0.017:  # claimed by a worker; about half the leases have run out
                status = "claimed"
                send_at = -below(7200)
                claimed_by = "bench-host:1:abc123"
                claimed_until = stamp(below(1200) - 600)
            else:  # done with: sent, or skipped as no longer useful
                send_at = -60 - below(spread - 60)
                status = "sent" if rand() < 0.85 else "skipped"
                if status == "sent":
                    sent_at = stamp(send_at + 1 + below(120))
                    slack_channel = "D0BENCH"
                    slack_ts = f"{epoch + send_at}.{nudge_id % 1_000_000:06d}"
            at_risk = kind == "at_risk"
            due = checkpoint_due[checkpoint_id]
            yield (
                nudge_id,
                team_of[relationship_id],
                None if at_risk else rng.choice(members[relationship_id]),
                "C0COORDINATORS" if at_risk else None,
                relationship_id,
                None if at_risk else checkpoint_id,
                None if at_risk else stamp(due),
                kind,
                "no recent activity" if at_risk else "",
                f"{kind}:{nudge_id}",
                stamp(send_at),
                status,
                claimed_by,
                claimed_until,
                attempts,
                sent_at,
                slack_channel,
                slack_ts,
            )

    yield (
        "people",
        (
            "id",
            "team_id",
            "slack_user_id",
            "display_name",
            "tz",
            "nudges_muted",
            "created_at",
            "last_seen_at",
        ),
        people(),
    )
    yield (
        "relationships",
        (
            "id",
            "team_id",
            "kind",
            "status",
            "topic",
            "at_risk_reasons",
            "started_at",
            "ended_at",
            "end_reason",
        ),
        relationships(),
    )
    yield (
        "relationship_members",
        ("id", "team_id", "relationship_id", "person_id", "role"),
        relationship_members(),
    )
    yield (
        "checkpoints",
        (
            "id",
            "team_id",
            "relationship_id",
            "title",
            "reason",
            "due_at",
            "status",
            "created_at",
            "completed_at",
        ),
        checkpoints_(),
    )
    yield (
        "nudges",
        (
            "id",
            "team_id",
            "person_id",
            "channel",
            "relationship_id",
            "checkpoint_id",
            "checkpoint_due_at",
            "kind",
            "reasons",
            "dedupe_key",
            "send_at",
            "status",
            "claimed_by",
            "claimed_until",
            "attempts",
            "sent_at",
            "slack_channel",
            "slack_ts",
        ),
        nudges_(),
    )


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


# -- loading ---------------------------------------------------------------------------------
#
# Both loaders follow the usual bulk-load recipe: drop the secondary indexes and constraints of
# the two big tables, load, then re-create exactly the definitions read from the catalog (so
# the schema stays the one the migrations made) and check every foreign key in bulk.

BIG_TABLES = ("checkpoints", "nudges")


def _sqlite_stamp(engine: Engine, now: datetime) -> Stamp:
    """Timestamps as SQLAlchemy stores them in SQLite (UTC text), checked against its own bind
    processor so the bench cannot drift from the app's storage format."""
    stamp = _stamper(now, "")
    column_type = Checkpoint.__table__.c.due_at.type  # type: ignore[attr-defined]
    processor = column_type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
    expected = processor(now + timedelta(seconds=12345))
    assert expected == stamp(12345), (expected, stamp(12345))
    return stamp


def _load_sqlite(engine: Engine, sizes: Sizes, now: datetime) -> dict[str, int]:
    """executemany in one transaction, synchronous=OFF and foreign keys checked after."""
    counts: dict[str, int] = {}
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        connection.execute("PRAGMA foreign_keys=OFF")  # checked in bulk below
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-524288")  # 512 MiB while loading
        deferred = [
            (name, ddl)
            for name, table, ddl in connection.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            )
            if table in BIG_TABLES and ddl is not None  # not the automatic unique indexes
        ]
        connection.execute("BEGIN")
        for name, _ in deferred:
            connection.execute(f'DROP INDEX "{name}"')
        for table, columns, rows in _dataset(sizes, now, _sqlite_stamp(engine, now)):
            statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (constants)
                table, ", ".join(columns), ", ".join("?" * len(columns))
            )
            for chunk in _chunks(rows, CHUNK):
                connection.executemany(statement, chunk)
                counts[table] = counts.get(table, 0) + len(chunk)
        for _, ddl in deferred:
            connection.execute(ddl)
        broken = [
            row
            for table in counts
            for row in connection.execute(f"PRAGMA foreign_key_check({table})")
        ]
        if broken:
            connection.execute("ROLLBACK")
            raise RuntimeError(f"bench data breaks foreign keys: {broken[:5]}")
        connection.execute("COMMIT")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA cache_size=-2000")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        pooled.close()
    return counts


_PG_CONSTRAINTS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = ANY(%(tables)s::regclass[]) AND contype IN ('f', 'u')
ORDER BY 1, 2
"""
_PG_INDEXES = """
SELECT tablename, indexname, indexdef
FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = ANY(%(tables)s)
  AND indexname NOT IN (
    SELECT conname FROM pg_constraint WHERE conrelid = ANY(%(tables)s::regclass[]))
ORDER BY 1, 2
"""


def _load_postgres(engine: Engine, sizes: Sizes, now: datetime) -> dict[str, int]:
    """COPY … FROM STDIN through psycopg, one COPY per chunk, in one transaction."""
    counts: dict[str, int] = {}
    stamp = _stamper(now, "+00")
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            tables = {"tables": list(BIG_TABLES)}
            constraints = cursor.execute(_PG_CONSTRAINTS, tables).fetchall()
            indexes = cursor.execute(_PG_INDEXES, tables).fetchall()
            for table, name, _ in constraints:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                )
            for _, name, _ in indexes:
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
            for table, columns, rows in _dataset(sizes, now, stamp):
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                for chunk in _chunks(rows, CHUNK):
                    with cursor.copy(copy_sql) as copy:
                        for row in chunk:
                            copy.write_row(row)
                    counts[table] = counts.get(table, 0) + len(chunk)
                # Explicit ids were loaded: move the id sequence past them.
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", (table, counts[table])
                )
            for _, _, ddl in indexes:  # definitions read from the catalog above
                cursor.execute(sql.SQL(ddl))
            for table, name, definition in constraints:  # re-adding an FK checks every row
                cursor.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
                    )
                )
            restored = (
                cursor.execute(_PG_CONSTRAINTS, tables).fetchall(),
                cursor.execute(_PG_INDEXES, tables).fetchall(),
            )
            assert restored == (constraints, indexes), "schema changed by the bulk load"
        connection.commit()
    finally:
        pooled.close()
    return counts


def _reset_postgres(url: str) -> None:
    """Drop every Mentorbot table (and Alembic's bookkeeping) so `upgrade` starts clean."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


def _analyze(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        return
    # VACUUM cannot run in a transaction. VACUUM (ANALYZE) rather than plain ANALYZE also sets
    # the visibility map, as autovacuum would soon after a bulk load in production.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")


# -- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    text: str
    uses_index: bool
    verdict: str


@contextmanager
def _capture_selects(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements (with their parameters) the engine sends while the block runs."""
    seen: list[tuple[str, Any]] = []

    def listener(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _explain(engine: Engine, statement: str, parameters: Any, table: str, index: str) -> Plan:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            result = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            depth: dict[int, int] = {0: 0}
            lines = []
            for node, parent, _unused, detail in result:
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + str(detail))
            connection.rollback()
            full_scan = [line for line in lines if re.match(rf"\s*SCAN {table}\b", line)]
        else:
            result = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters
            )
            lines = [str(line) for (line,) in result]
            connection.rollback()
            full_scan = [line for line in lines if f"Seq Scan on {table}" in line]
    plan_text = "\n".join(lines)
    named = index in plan_text
    if full_scan:
        verdict = f"full scan: {full_scan[0].strip()}"
    elif not named:
        verdict = f"{index} not used"
    else:
        verdict = f"uses {index}"
        if "TEMP B-TREE" in plan_text or "Sort" in plan_text:
            verdict += " + sort"
    return Plan(plan_text, uses_index=named and not full_scan, verdict=verdict)


# -- the bench -------------------------------------------------------------------------------


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
