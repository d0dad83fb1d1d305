"""`/mentoring status` at scale, from the signed request to the answer.

For each backend (a temporary SQLite file always; PostgreSQL when MENTORBOT_BENCH_DATABASE_URL
is set) this migrates a fresh database with `storage.db.upgrade` and bulk-loads one workspace
(T0BENCH) whose program has run for two and a half years: 12,000 people, 2,000 volunteer offers,
10,000 relationships (mentoring, coaching, group coaching, observation; ~85 % active, the rest
closed with an end reason; ~3 % of the active ones at risk with reason codes), a guide and a
learner in each, 200,000 checkpoints (past ones done, missed or cancelled, future ones
scheduled), 1,500 requests (most matched, a few hundred still waiting), 20,000 appreciations
and 8,000 pulse answers. Then it starts the real app (`build_web_app` with a WebClient on a
`SlackEmulator`, served by `bot.local_server.serve_in_thread`) and measures:

- the HTTP round trip of `/mentoring status`, signed and sent by `SlackDriver` as a configured
  coordinator from the coordinator channel: median and p95 of 20 after a warm-up, target
  < 300 ms; also `status coaching since <date>` and `status @person` (the busiest guide);
- `bot.program_status.overview` alone, for each of the three;
- each storage query that overview makes, alone, with exactly the arguments overview gave it
  (recorded by wrapping storage.program_status and storage.people while overview runs), and the
  three queries of `status chart` (`bot.program_history.weekly`), which are not in `status`.

Every answer is checked (HTTP 200, the in-channel "Program status" message, its active count
equal to overview's, no Slack limit broken). Beside each storage query, "SQL only" times the
same statements on a bare connection (the database's share; the rest is Session, ORM and
Python). A storage query slower than 50 ms has its plan printed (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL) with what would fix it: the index it lacks (see
CANDIDATES in bench/_status_indexes.py), which is then tried for real (created, the slow
queries and every command's round trip timed again, then dropped, so the schema stays the
migrations'), or, for a query that ships thousands of rows to Python, aggregating in SQL.
Every plan is written to bench/results/status_plans.txt.

The data is generated in bench/_status_data.py (its mix and sizes in bench/_status_workspace.py)
and loaded by bench/_status_load.py; the app, the round trip and the per-query timings and plans
are in bench/_status_measure.py.

The app, the emulator and the driver share this process (as in the tests), so the round trip
includes some GIL contention that separate processes would not have.

WARNING: the PostgreSQL database named by MENTORBOT_BENCH_DATABASE_URL is wiped: every table in
its schema is dropped. Point it at a database of its own.

    python bench/status.py                   # SQLite only
    MENTORBOT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55433/bench_status \
        python bench/status.py               # SQLite and PostgreSQL
    MENTORBOT_BENCH_SCALE=0.05 python bench/status.py    # a quick smoke run (5% of the rows)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/status.py`

from bench._bulk import _analyze
from bench._status_indexes import Trip, _advise, _try_indexes
from bench._status_load import _load, _reset_postgres
from bench._status_measure import (
    _PLANS_FILE,
    REPEAT,
    Measured,
    RunningApp,
    _measure_calls,
    _recording,
    _round_trip,
    _running_app,
)
from bench._status_workspace import COORDINATOR, TEAM, Facts, Sizes
from bench.common import PG_URL_ENV, SCALE_ENV, Row, median_ms, missed, print_table, write_json
from bot import program_history, program_status
from storage import people as people_queries
from storage import program_status as status_queries
from storage.db import make_engine, upgrade

TARGET_MS = 300.0
LOAD_TARGET_S = 60.0
SINCE_DAYS = 180  # `status coaching since <today - 180 days>`


def _variants(facts: Facts, now: datetime) -> list[tuple[str, str]]:
    """(name, command text): the whole program, a kind since a date, one person."""
    since = (now - timedelta(days=SINCE_DAYS)).date()
    username = facts.busiest_guide_name.lower().replace(" ", ".")
    return [
        ("status", "status"),
        (f"status coaching since {since}", f"status coaching since {since}"),
        ("status @person", f"status <@{facts.busiest_guide}|{username}>"),
    ]


def _query_rows(prefix: str, measured: Sequence[Measured], every: bool) -> list[Row]:
    """A row per storage call (or per slow one), and the plan and advice of each slow one."""
    rows = []
    for item in measured:
        if not (every or item.slow):
            continue
        note = (
            f"p95 {item.timing.p95_ms:.1f} ms; SQL only {item.sql_only.median_ms:.1f} ms; "
            f"{item.result}"
        )
        if item.slow:
            note += "; plan printed"
            print(
                f"\n-- {item.heading}: {item.call.label} took {item.timing.median_ms:.1f} ms",
                flush=True,
            )
            print("\n".join(item.plans), flush=True)
            if item.full_scans:
                print(f"-- reads in full: {', '.join(item.full_scans)}", flush=True)
            _advise(item)
        rows.append(Row(f"{prefix}:   {item.call.label}", item.timing.median_ms, "ms", note=note))
    return rows


def _bench_variant(
    app: RunningApp, prefix: str, name: str, args: str, *, every: bool
) -> tuple[list[Row], list[Measured], Trip]:
    trip, problem = _round_trip(app, args)
    filters = program_status.parse_filters(args.removeprefix("status"))

    def overview() -> program_status.Status:
        return program_status.overview(app.services, team_id=TEAM, filters=filters)

    alone = median_ms(overview, REPEAT)
    with _recording([status_queries, people_queries]) as calls:
        overview()
    if not calls:
        raise RuntimeError("overview made no storage call that could be recorded")
    measured = _measure_calls(app.services, calls, f"{prefix}: {name}")
    slowest = max(measured, key=lambda item: item.timing.median_ms)
    note = (
        f"p95 {trip.p95_ms:.1f} ms; overview {alone.median_ms:.1f} ms; slowest query "
        f"{slowest.call.label} {slowest.timing.median_ms:.1f} ms"
    )
    if problem is not None:
        note = f"WRONG ANSWER: {problem}; {note}"
    queries_ms = sum(item.timing.median_ms for item in measured)
    rows = [
        Row(
            f"{prefix}: {name}: round trip",
            trip.median_ms,
            "ms",
            f"< {TARGET_MS:.0f} ms",
            problem is None and trip.median_ms < TARGET_MS,
            note,
        ),
        Row(
            f"{prefix}: {name}: overview()",
            alone.median_ms,
            "ms",
            note=f"p95 {alone.p95_ms:.1f} ms; {len(measured)} storage calls, "
            f"{queries_ms:.1f} ms when run one by one",
        ),
    ]
    trip_taken = Trip(f"{prefix}: {name}", args, trip)
    return rows + _query_rows(prefix, measured, every), measured, trip_taken


def _bench_chart(app: RunningApp, prefix: str) -> tuple[list[Row], list[Measured]]:
    """The data of `status chart` (not part of `status`): the other three queries of
    storage.program_status."""

    def weekly() -> list[program_history.Week]:
        return program_history.weekly(app.services, team_id=TEAM, user_id=COORDINATOR)

    whole = median_ms(weekly, REPEAT)
    with _recording([status_queries]) as calls:
        weekly()
    measured = _measure_calls(app.services, calls, f"{prefix}: status chart")
    row = Row(
        f"{prefix}: status chart: program_history.weekly()",
        whole.median_ms,
        "ms",
        note=f"p95 {whole.p95_ms:.1f} ms; its data only (no drawing, no upload)",
    )
    return [row, *_query_rows(prefix, measured, every=True)], measured


def _bench_backend(label: str, url: str, sizes: Sizes, now: datetime) -> list[Row]:
    prefix = f"status {label}"
    print(f"\n== {label}: migrate and load", flush=True)
    if not url.startswith("sqlite"):
        _reset_postgres(url)
    upgrade(url)
    engine = make_engine(url, pool_size=1)
    try:
        started = time.perf_counter()
        counts, facts = _load(engine, sizes, now)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        _analyze(engine)
        analyze_s = time.perf_counter() - started
    finally:
        engine.dispose()
    loaded = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    print(f"{label}: loaded {loaded} in {load_s:.1f} s; ANALYZE {analyze_s:.1f} s", flush=True)
    rows = [
        Row(
            f"{prefix}: load",
            load_s,
            "s",
            f"< {LOAD_TARGET_S:.0f} s",
            load_s < LOAD_TARGET_S,
            f"{sum(counts.values()):,} rows ({counts['relationships']:,} relationships, "
            f"{facts.active:,} active; {counts['checkpoints']:,} checkpoints); "
            f"ANALYZE {analyze_s:.1f} s",
        )
    ]
    slow: list[Measured] = []
    trips: list[Trip] = []
    with _running_app(url) as app:
        for name, args in _variants(facts, now):
            print(f"\n{label}: /mentoring {args}", flush=True)
            if "@" in name:
                print(
                    f"{label}: the person is {facts.busiest_guide}, the guide with the most "
                    f"relationships ({facts.busiest_guide_relationships})",
                    flush=True,
                )
            found, measured, trip = _bench_variant(app, prefix, name, args, every=name == "status")
            rows += found
            slow += [item for item in measured if item.slow]
            trips.append(trip)
        found, measured = _bench_chart(app, prefix)
        rows += found
        slow += [item for item in measured if item.slow]
        rows += _try_indexes(app, slow, trips)
    return rows


def run(*, scale: float | None = None) -> list[Row]:
    """Bench SQLite, and PostgreSQL when MENTORBOT_BENCH_DATABASE_URL is set."""
    if scale is None:
        scale = float(os.environ.get(SCALE_ENV, "1"))
    postgres = os.environ.get(PG_URL_ENV, "").strip()
    if postgres and not postgres.startswith("postgresql+psycopg://"):
        raise ValueError(f"{PG_URL_ENV} must use the psycopg 3 scheme: postgresql+psycopg://…")
    sizes = Sizes.scaled(scale)
    now = datetime.now(UTC).replace(microsecond=0)
    _PLANS_FILE.unlink(missing_ok=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as directory:
        rows += _bench_backend("SQLite", f"sqlite:///{directory}/status.db", sizes, now)
    if postgres:
        rows += _bench_backend("PostgreSQL", postgres, sizes, now)
    else:
        print(f"PostgreSQL: skipped (set {PG_URL_ENV})", flush=True)
        rows.append(Row("status PostgreSQL", "skipped", note=f"set {PG_URL_ENV}"))
    print(f"\nevery plan: {_PLANS_FILE}", flush=True)
    return rows


def main() -> int:
    rows = run()
    print()
    print_table(rows)
    path = write_json(rows, "status.json")
    print(f"\nwrote {path}")
    return 1 if missed(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
