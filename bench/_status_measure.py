"""Measuring `/mentoring status`: the real app served on an emulator and the round trip of a
signed command through it; the storage queries overview makes, recorded and timed alone
(through the ORM and as bare SQL) with the plans of the slow ones.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import statistics
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy import Engine

from bench._plans import _capture_selects
from bench._status_workspace import COORDINATOR, TEAM
from bench.common import RESULTS, Timing, median_ms
from bot import program_status
from bot.cli.wiring import build_services, build_web_app
from bot.config import load_settings
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.server import COORDINATORS_CHANNEL
from bot.local_server import serve_in_thread
from bot.services import Services
from handlers.slack_client import web_client
from handlers.web import EVENTS_PATH
from storage.db import READ_ONLY_OPTION

BOT_TOKEN = "xoxb-bench-status"
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
COMMAND = "/mentoring"

EXPLAIN_MS = 50.0  # a storage query slower than this gets its plan printed
REPEAT = 20


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
