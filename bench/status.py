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
CANDIDATES), which is then tried for real (created, the slow queries and every command's round
trip timed again, then dropped, so the schema stays the migrations'), or, for a query that
ships thousands of rows to Python, aggregating in SQL. Every plan is written to
bench/results/status_plans.txt.

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

import functools
import inspect
import math
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/status.py`

from sqlalchemy import Engine, text

from bench._bulk import Stamp, TableRows, _analyze, _chunks, _picker, _sqlite_stamp, _stamper
from bench._plans import _capture_selects
from bench.common import (
    PG_URL_ENV,
    RESULTS,
    SCALE_ENV,
    Row,
    Timing,
    median_ms,
    missed,
    print_table,
    write_json,
)
from bot import program_history, program_status
from bot.cli.wiring import build_services, build_web_app
from bot.config import load_settings
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.server import COORDINATORS_CHANNEL
from bot.local_server import serve_in_thread
from bot.pulse import period_of
from bot.risk import REASON_CODES
from bot.services import Services
from handlers.slack_client import web_client
from handlers.web import EVENTS_PATH
from storage import people as people_queries
from storage import program_status as status_queries
from storage.db import READ_ONLY_OPTION, make_engine, upgrade

TEAM = "T0BENCH"
COORDINATOR = "U0MARCUS01"  # marked as a coordinator in the emulator's seed company
BOT_TOKEN = "xoxb-bench-status"
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
COMMAND = "/mentoring"

TARGET_MS = 300.0
EXPLAIN_MS = 50.0  # a storage query slower than this gets its plan printed
LOAD_TARGET_S = 60.0
REPEAT = 20
SEED = 20261126
CHUNK = 20_000

DAY = 86_400
HISTORY = 900 * DAY  # the oldest relationship started this long ago
SINCE_DAYS = 180  # `status coaching since <today - 180 days>`

KIND_WEIGHTS: dict[str, float] = {
    "mentoring": 55,
    "coaching": 35,
    "group_coaching": 7,
    "observation": 3,
}
CLOSED_SHARE = 0.15
AT_RISK_SHARE = 0.03  # of the active relationships
END_REASONS: dict[str, float] = {
    "goals_met": 55,
    "no_longer_needed": 25,
    "not_working": 14,
    "forgotten": 3,
    "": 3,
}
TOPICS = (
    "public speaking",
    "sql",
    "people management",
    "product discovery",
    "career progression",
    "giving feedback",
    "code review",
    "statistics",
    "time management",
    "negotiation",
)
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin", None)


@dataclass(frozen=True)
class Sizes:
    people: int
    volunteers: int  # people 1..volunteers hold an offer
    relationships: int
    checkpoints: int
    requests: int
    appreciations: int
    pulses: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        def n(full: int, least: int) -> int:
            return max(least, round(full * scale))

        return cls(
            people=n(12_000, 300),
            volunteers=n(2_000, 50),
            relationships=n(10_000, 200),
            checkpoints=n(200_000, 2_000),
            requests=n(1_500, 40),
            appreciations=n(20_000, 200),
            pulses=n(8_000, 100),
        )


@dataclass(frozen=True)
class Facts:
    """What the bench needs to know about the data it generated."""

    active: int
    busiest_guide: str  # slack user id of the guide with the most relationships
    busiest_guide_name: str
    busiest_guide_relationships: int


# -- data ------------------------------------------------------------------------------------


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), summing to exactly `total`."""
    whole = sum(weights)
    quotas = [total * w / whole for w in weights]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _dataset(sizes: Sizes, now: datetime, stamp: Stamp) -> tuple[list[TableRows], Facts]:
    """The tables to load in foreign-key order, as (table, columns, rows), and the facts about
    them. Deterministic for a given `now`; times are whole seconds from now, written by `stamp`."""
    rng = random.Random(SEED)
    rand = rng.random

    def below(n: int) -> int:
        return int(rand() * n)

    def uid(person_id: int) -> str:
        return f"UB{person_id:08d}"

    # Guides come from the volunteers and a tenth as many former volunteers (no offer now),
    # a few of them very busy; learners from everyone else.
    guide_pool = min(sizes.volunteers + sizes.volunteers // 10, sizes.people // 2)
    learners = sizes.people - guide_pool
    n = sizes.relationships

    # -- relationships: ids in the order they started, oldest first ---------------------------
    started = [0, *sorted(-(DAY + int((HISTORY - DAY) * rand() ** 1.25)) for _ in range(n))]
    kind_of = _picker(rand, KIND_WEIGHTS)
    end_reason_of = _picker(rand, END_REASONS)
    kinds = [""]
    ended: list[int | None] = [None]
    end_reasons: list[str | None] = [None]
    risks: list[tuple[int, str] | None] = [None]
    guide = [0]
    learner = [0]
    for rid in range(1, n + 1):
        start = started[rid]
        kinds.append(kind_of())
        if rand() < CLOSED_SHARE:
            end = min(-3600, start + max(3600, int(-start * (0.15 + 0.85 * rand()))))
            ended.append(end)
            end_reasons.append(end_reason_of() or None)
            risks.append(None)
        else:
            ended.append(None)
            end_reasons.append(None)
            if rand() < AT_RISK_SHARE:
                codes = rng.sample(REASON_CODES, 2 if rand() < 0.3 else 1)
                risks.append((-below(min(-start, 60 * DAY)), ",".join(sorted(codes))))
            else:
                risks.append(None)
        guide.append(1 + int(guide_pool * rand() ** 1.25))
        learner.append(guide_pool + 1 + below(learners))

    # -- requests: the recent relationships were matched from one; some wait, some withdrew ---
    matched = min(n, round(sizes.requests * 0.7))
    waiting = round(sizes.requests * 0.2)
    wanted: list[tuple[int, str, str | None, str, int, int | None, int | None, int | None]] = []
    for rid in range(n - matched + 1, n + 1):
        asked = "mentor" if kinds[rid] == "mentoring" else "coach"
        wait = int(3600 * (2 + 400 * rand() ** 2))  # two hours to ~17 days, mostly short
        created = started[rid] - wait
        wanted.append((created, asked, asked, "matched", learner[rid], None, rid, started[rid]))
    status_of = _picker(rand, {"open": 20, "matching": 50, "unmatched": 30})
    for _ in range(waiting):
        created = -below((150 if rand() < 0.1 else 60) * DAY)
        status = status_of()
        asked = "mentor" if rand() < 0.6 else "coach"
        chosen = None if status == "open" else asked
        notified = created + DAY if status == "unmatched" and created < -DAY else None
        requester = guide_pool + 1 + below(learners)
        wanted.append((created, asked, chosen, status, requester, notified, None, None))
    for _ in range(sizes.requests - matched - waiting):
        created = -below(365 * DAY)
        closed = min(-60, created + below(14 * DAY))
        requester = guide_pool + 1 + below(learners)
        wanted.append((created, "mentor", None, "cancelled", requester, None, None, closed))
    wanted.sort(key=lambda row: row[0])
    request_of = {row[6]: i for i, row in enumerate(wanted, 1) if row[6] is not None}

    # -- checkpoints: spread evenly over each relationship's span, a few weeks ahead if active --
    spans = []
    for rid in range(1, n + 1):
        closed_at = ended[rid]
        until = closed_at if closed_at is not None else 14 * DAY + below(42 * DAY)
        spans.append((started[rid], until, (14 if rand() < 0.6 else 28) * DAY))
    counts = _allocate(sizes.checkpoints, [(u - s) / c for s, u, c in spans])

    guided = Counter(guide[1:])
    busiest, busiest_count = guided.most_common(1)[0]

    def people() -> Iterator[tuple[Any, ...]]:
        joined = -HISTORY - 30 * DAY  # everyone was there before the program started
        for pid in range(1, sizes.people + 1):
            manager = uid(1 + below(guide_pool)) if rand() < 0.7 else None
            yield (
                pid,
                TEAM,
                uid(pid),
                f"Person {pid}",
                ZONES[below(len(ZONES))],
                manager,
                rand() < 0.03,
                rand() < 0.05,
                stamp(joined - below(365 * DAY)),
                stamp(-below(90 * DAY)),
                None,
            )

    def offers() -> Iterator[tuple[Any, ...]]:
        offer_status = _picker(rand, {"active": 85, "paused": 10, "withdrawn": 5})
        for pid in range(1, sizes.volunteers + 1):
            as_mentor = rand() < 0.8
            created = stamp(-HISTORY + below(HISTORY))
            yield (
                pid,
                TEAM,
                pid,
                as_mentor,
                not as_mentor or rand() < 0.4,
                ", ".join(rng.sample(TOPICS, 3)),
                "guide",
                '["video", "in_person"]' if rand() < 0.3 else '["video"]',
                2 + below(7),
                "Tuesday and Thursday afternoons",
                offer_status(),
                created,
                created,
            )

    def requests() -> Iterator[tuple[Any, ...]]:
        for qid, (created, asked, chosen, status, who, notified, _, closed) in enumerate(wanted, 1):
            topic = TOPICS[below(len(TOPICS))]
            yield (
                qid,
                TEAM,
                who,
                asked,
                asked,
                chosen,
                f"I would like help with {topic}.",
                f"Help with {topic}",
                '["growth"]',
                "skill",
                "video",
                "an hour every two weeks",
                None,
                status,
                None,
                None if notified is None else stamp(notified),
                stamp(created),
                stamp(created if closed is None else closed),
                None if closed is None else stamp(closed),
            )

    def relationships() -> Iterator[tuple[Any, ...]]:
        for rid in range(1, n + 1):
            end = ended[rid]
            risk = risks[rid]
            quiet = 30 * DAY if risk is not None else 10 * DAY
            yield (
                rid,
                TEAM,
                request_of.get(rid),
                kinds[rid],
                "active" if end is None else "closed",
                None,
                TOPICS[rid % len(TOPICS)],
                stamp(max(started[rid], (end or 0) - below(quiet))),
                None if risk is None else stamp(risk[0]),
                "" if risk is None else risk[1],
                stamp(started[rid]),
                None if end is None else stamp(end),
                end_reasons[rid],
            )

    def members() -> Iterator[tuple[Any, ...]]:
        for rid in range(1, n + 1):
            yield (2 * rid - 1, TEAM, rid, guide[rid], "guide")
            yield (2 * rid, TEAM, rid, learner[rid], "learner")

    def checkpoints() -> Iterator[tuple[Any, ...]]:
        kept = _picker(rand, {"done": 75, "missed": 18, "cancelled": 7})
        struggling = _picker(rand, {"done": 35, "missed": 60, "cancelled": 5})
        cid = 0
        for rid in range(1, n + 1):
            start, until, _ = spans[rid - 1]
            risk = risks[rid]
            trouble_from = 0 if risk is None else risk[0] - 45 * DAY  # missed more since
            created = stamp(start + min(3 * DAY, (until - start) // 4))
            total = counts[rid - 1]
            for j in range(total):
                due = start + (j + 1) * (until - start) // total + below(2 * DAY) - DAY
                due = min(due, until) // 900 * 900  # on the quarter hour
                draw = rand()
                if due >= 0:
                    status = "scheduled" if draw < 0.97 else "cancelled"
                elif due > -3 * DAY:  # waiting for the assessments
                    status = "scheduled" if draw < 0.85 else "done"
                elif due > -14 * DAY and draw < 0.04:  # the clock has not closed it yet
                    status = "scheduled"
                else:
                    status = struggling() if due > trouble_from else kept()
                done_at = min(0, due + 3600 * (1 + below(71))) if status == "done" else None
                cid += 1
                yield (
                    cid,
                    TEAM,
                    rid,
                    None,
                    f"Checkpoint {j + 1}",
                    "cadence" if rand() < 0.9 else "deliverable",
                    stamp(due),
                    status,
                    created,
                    None if done_at is None else stamp(done_at),
                )

    def appreciations() -> Iterator[tuple[Any, ...]]:
        found = []
        for _ in range(sizes.appreciations):
            if rand() < 0.1:  # thanks outside any relationship
                rid, sender, receiver = None, 1 + below(sizes.people), 1 + below(sizes.people)
                created = -below(HISTORY)
            else:
                rid = 1 + below(n)
                sender, receiver = learner[rid], guide[rid]
                if rand() < 0.25:
                    sender, receiver = receiver, sender
                until = ended[rid] or 0
                created = started[rid] + below(until - started[rid])
            found.append((created, sender, receiver, rid, rand() < 0.25))
        found.sort(key=lambda row: row[0])
        for aid, (created, sender, receiver, rid, public) in enumerate(found, 1):
            message = "Thank you for the session, it really helped!"
            yield (aid, TEAM, sender, receiver, rid, message, public, stamp(created))

    def pulses() -> Iterator[tuple[Any, ...]]:
        rating_of = _picker(rand, {"5": 35, "4": 40, "3": 15, "2": 7, "1": 3})
        answered: set[tuple[int, int, str]] = set()
        found: list[tuple[int, int, int, str, int | None, str]] = []
        for _ in range(50 * sizes.pulses):
            if len(found) == sizes.pulses:
                break
            rid = 1 + below(n)
            created = -below(365 * DAY)
            if not started[rid] + 14 * DAY <= created <= (ended[rid] or 0):
                continue
            person = guide[rid] if rand() < 0.5 else learner[rid]
            period = period_of(now + timedelta(seconds=created), 3)
            if (rid, person, period) in answered:
                continue
            answered.add((rid, person, period))
            rating = None if rand() < 0.05 else int(rating_of())
            suggestion = "More structure in the first sessions." if rand() < 0.1 else ""
            found.append((created, rid, person, period, rating, suggestion))
        found.sort(key=lambda row: row[0])
        for pid, (created, rid, person, period, rating, suggestion) in enumerate(found, 1):
            yield (pid, TEAM, rid, person, period, rating, suggestion, stamp(created))

    tables: list[TableRows] = [
        (
            "people",
            (
                "id",
                "team_id",
                "slack_user_id",
                "display_name",
                "tz",
                "manager_slack_id",
                "nudges_muted",
                "shoutouts_opt_out",
                "created_at",
                "last_seen_at",
                "erased_at",
            ),
            people(),
        ),
        (
            "offers",
            (
                "id",
                "team_id",
                "person_id",
                "as_mentor",
                "as_coach",
                "topics",
                "style",
                "formats",
                "capacity",
                "availability",
                "status",
                "created_at",
                "updated_at",
            ),
            offers(),
        ),
        (
            "requests",
            (
                "id",
                "team_id",
                "requester_id",
                "kind_asked",
                "kind_recommended",
                "kind_chosen",
                "need",
                "summary",
                "drivers",
                "goal_scope",
                "format",
                "time_commitment",
                "manager_slack_id",
                "status",
                "view_id",
                "coordinator_notified_at",
                "created_at",
                "updated_at",
                "closed_at",
            ),
            requests(),
        ),
        (
            "relationships",
            (
                "id",
                "team_id",
                "request_id",
                "kind",
                "status",
                "channel_id",
                "topic",
                "last_activity_at",
                "at_risk_since",
                "at_risk_reasons",
                "started_at",
                "ended_at",
                "end_reason",
            ),
            relationships(),
        ),
        (
            "relationship_members",
            ("id", "team_id", "relationship_id", "person_id", "role"),
            members(),
        ),
        (
            "checkpoints",
            (
                "id",
                "team_id",
                "relationship_id",
                "agreement_id",
                "title",
                "reason",
                "due_at",
                "status",
                "created_at",
                "completed_at",
            ),
            checkpoints(),
        ),
        (
            "appreciations",
            (
                "id",
                "team_id",
                "from_id",
                "to_id",
                "relationship_id",
                "message",
                "public",
                "created_at",
            ),
            appreciations(),
        ),
        (
            "pulse_responses",
            (
                "id",
                "team_id",
                "relationship_id",
                "person_id",
                "period",
                "rating",
                "suggestion",
                "created_at",
            ),
            pulses(),
        ),
    ]
    facts = Facts(
        active=sum(1 for end in ended[1:] if end is None),
        busiest_guide=uid(busiest),
        busiest_guide_name=f"Person {busiest}",
        busiest_guide_relationships=busiest_count,
    )
    return tables, facts


# -- loading ---------------------------------------------------------------------------------
#
# The tables are small enough (a quarter of a million rows in all) to load with their indexes
# in place: executemany in one transaction on SQLite, one COPY per table on PostgreSQL.


def _load(engine: Engine, sizes: Sizes, now: datetime) -> tuple[dict[str, int], Facts]:
    if engine.dialect.name == "sqlite":
        tables, facts = _dataset(sizes, now, _sqlite_stamp(engine, now))
        return _load_sqlite(engine, tables), facts
    tables, facts = _dataset(sizes, now, _stamper(now, "+00"))
    return _load_postgres(engine, tables), facts


def _load_sqlite(engine: Engine, tables: Iterable[TableRows]) -> dict[str, int]:
    counts: dict[str, int] = {}
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        connection.execute("PRAGMA foreign_keys=OFF")  # checked in bulk below
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("BEGIN")
        for table, columns, rows in tables:
            statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (constants)
                table, ", ".join(columns), ", ".join("?" * len(columns))
            )
            counts[table] = 0
            for chunk in _chunks(rows, CHUNK):
                connection.executemany(statement, chunk)
                counts[table] += len(chunk)
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
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        pooled.close()
    return counts


def _load_postgres(engine: Engine, tables: Iterable[TableRows]) -> dict[str, int]:
    from psycopg import sql

    counts: dict[str, int] = {}
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            for table, columns, rows in tables:
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                loaded = 0
                with cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                        loaded += 1
                counts[table] = loaded
                # Explicit ids were loaded: move the id sequence past them (the app inserts too).
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
                    (table, max(loaded, 1), loaded > 0),
                )
        connection.commit()
    finally:
        pooled.close()
    return counts


def _reset_postgres(url: str) -> None:
    """Drop every table of the schema (Mentorbot's, Slack's stores', Alembic's) so `upgrade`
    starts from nothing."""
    engine = make_engine(url, pool_size=1)
    try:
        quote = engine.dialect.identifier_preparer.quote
        with engine.begin() as connection:
            names = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            for name in list(names):
                connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    finally:
        engine.dispose()


# -- the app ---------------------------------------------------------------------------------


@dataclass
class RunningApp:
    services: Services
    driver: SlackDriver
    emulator: SlackEmulator


@contextmanager
def _running_app(url: str) -> Iterator[RunningApp]:
    """The real app over HTTP on loopback, its Web API client pointed at an emulated Slack."""
    with SlackEmulator(teams={BOT_TOKEN: TEAM}) as emulator:
        settings = load_settings(
            {
                "slack_bot_token": BOT_TOKEN,
                "slack_signing_secret": SIGNING_SECRET,
                "slack_api_url": emulator.api_url,
                "database_url": url,
                "mentorbot_coordinator_channel": COORDINATORS_CHANNEL,
                "mentorbot_coordinators": COORDINATOR,
            },
            env_file=None,
        )
        services = build_services(settings)
        try:
            server = serve_in_thread(build_web_app(services, client=web_client(settings)))
            try:
                driver = SlackDriver(
                    server.url + EVENTS_PATH, SIGNING_SECRET, emulator, team_id=TEAM
                )
                yield RunningApp(services=services, driver=driver, emulator=emulator)
            finally:
                server.stop()
        finally:
            services.database.dispose()


def _timing(samples: Sequence[float]) -> Timing:
    """Median and p95 as `bench.common.median_ms` computes them, of samples taken elsewhere."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return Timing(median_ms=statistics.median(ordered), p95_ms=p95, runs=len(ordered))


def _round_trip(app: RunningApp, args: str) -> tuple[Timing, str | None]:
    """`/mentoring <args>` from the coordinator channel: one warm-up, then REPEAT timed; the
    HTTP round trip as the driver measures it, and what is wrong with the answer, if anything."""
    samples = []
    for attempt in range(REPEAT + 1):
        reply = app.driver.command(COORDINATOR, COMMAND, args, channel_id=COORDINATORS_CHANNEL)
        if attempt:
            samples.append(reply.elapsed * 1000)
    filters = program_status.parse_filters(args.removeprefix("status"))
    expected = program_status.overview(app.services, team_id=TEAM, filters=filters)
    return _timing(samples), _problem(app.emulator, reply.status, reply.as_message(), expected)


def _problem(
    emulator: SlackEmulator, status: int, answer: Any, expected: program_status.Status
) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(answer, dict) or answer.get("text") != "Program status":
        return f"not the status message: {str(answer)[:120]}"
    if answer.get("response_type") != "in_channel":
        return "not posted in the coordinator channel"
    shown = " ".join(
        str(block.get("text", {}).get("text", "")) for block in answer.get("blocks") or []
    )
    if f"*Active relationships:* {expected.total_active} (" not in shown:
        return f"active count is not overview's {expected.total_active}"
    refused = [call for call in emulator.calls("ack", include_failed=True) if not call.ok]
    if refused:
        return f"Slack refused the answer: {refused[-1].error}"
    return None


# -- the storage queries, one by one ---------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One storage call made by the code under test, to be replayed alone."""

    label: str
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]


def _label(name: str, kwargs: Mapping[str, Any]) -> str:
    if isinstance(kwargs.get("start"), datetime) and isinstance(kwargs.get("end"), datetime):
        return f"{name}({(kwargs['end'] - kwargs['start']).days}d)"
    if "relationship_ids" in kwargs:
        return f"{name}({len(kwargs['relationship_ids'])} ids)"
    return name


@contextmanager
def _recording(modules: Sequence[ModuleType]) -> Iterator[list[Call]]:
    """Every call this thread makes to a public function of `modules` while the block runs
    (callers look them up on the module, so wrapping the module attribute sees them all)."""
    calls: list[Call] = []
    thread = threading.get_ident()
    originals: list[tuple[ModuleType, str, Callable[..., Any]]] = []

    def recorder(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def record(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == thread and args:  # args[0] is the session
                calls.append(Call(_label(name, kwargs), function, args[1:], kwargs))
            return function(*args, **kwargs)

        return record

    for module in modules:
        for name, function in list(vars(module).items()):
            if (
                inspect.isfunction(function)
                and function.__module__ == module.__name__
                and not name.startswith("_")
            ):
                originals.append((module, name, function))
                setattr(module, name, recorder(name, function))
    try:
        yield calls
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def _replay(services: Services, call: Call) -> Callable[[], Any]:
    def query() -> Any:
        with services.database.reading() as session:
            return call.function(session, *call.args, **call.kwargs)

    return query


def _shape(result: Any) -> str:
    if isinstance(result, list | dict):
        return f"{len(result):,} rows"
    return " ".join(repr(result).split())[:48]


@dataclass(frozen=True)
class Measured:
    heading: str  # "status <backend>: <the command>" that made the call
    call: Call
    timing: Timing
    sql_only: Timing  # the same statements on a bare connection, raw rows: the database's share
    result: str
    rows: int  # rows the statements returned
    plans: list[str] = field(default_factory=list)
    full_scans: list[str] = field(default_factory=list)

    @property
    def slow(self) -> bool:
        return self.timing.median_ms > EXPLAIN_MS


def _measure_calls(services: Services, calls: Sequence[Call], heading: str) -> list[Measured]:
    """Each call alone (median of REPEAT), with the plan of every statement it sends."""
    engine = services.database.engine
    measured = []
    seen: Counter[str] = Counter()
    for call in calls:
        seen[call.label] += 1
        if seen[call.label] > 1:
            call = Call(f"{call.label}#{seen[call.label]}", call.function, call.args, call.kwargs)
        query = _replay(services, call)
        timing = median_ms(query, REPEAT)
        with _capture_selects(engine) as statements:
            result = _shape(query())
        raw = _raw_statements(engine, statements)
        rows = raw()
        plans, scans = _plans(engine, statements)
        sql_only = median_ms(raw, REPEAT)
        measured.append(Measured(heading, call, timing, sql_only, result, rows, plans, scans))
        _append_plans(f"{heading}: {call.label}: median {timing.median_ms:.1f} ms", plans)
    return measured


def _raw_statements(engine: Engine, statements: Sequence[tuple[str, Any]]) -> Callable[[], int]:
    reader = engine.execution_options(**{READ_ONLY_OPTION: True})

    def run() -> int:
        with reader.connect() as connection:
            return sum(len(connection.exec_driver_sql(s, p).fetchall()) for s, p in statements)

    return run


def _plans(engine: Engine, statements: Sequence[tuple[str, Any]]) -> tuple[list[str], list[str]]:
    plans, scans = [], []
    for statement, parameters in statements:
        lines = _explain(engine, statement, parameters)
        sql_text = " ".join(statement.split())
        plans.append(f"{sql_text}\n-- parameters: {parameters!r}\n" + "\n".join(lines))
        scans += _full_scans(engine, lines)
    return plans, sorted(set(scans))


def _explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            result = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            depth: dict[int, int] = {0: 0}
            lines = []
            for node, parent, _unused, detail in result:
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + str(detail))
        else:
            result = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters
            )
            lines = [str(line) for (line,) in result]
        connection.rollback()
    return lines


def _full_scans(engine: Engine, lines: Sequence[str]) -> list[str]:
    """The tables a plan reads in full: SQLite's `SCAN t` (without an index), PostgreSQL's
    `Seq Scan on t`."""
    if engine.dialect.name == "sqlite":
        pattern = re.compile(r"^\s*SCAN (\w+)(?! USING (?:COVERING )?INDEX)")
    else:
        pattern = re.compile(r"Seq Scan on (\w+)")
    return sorted({m.group(1) for line in lines if (m := pattern.search(line))})


_PLANS_FILE = RESULTS / "status_plans.txt"


def _append_plans(title: str, plans: Sequence[str]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with _PLANS_FILE.open("a", encoding="utf-8") as out:
        out.write(f"\n-- {title}\n" + "\n".join(plans) + "\n")


# -- missing indexes -------------------------------------------------------------------------


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


# -- the bench -------------------------------------------------------------------------------


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
