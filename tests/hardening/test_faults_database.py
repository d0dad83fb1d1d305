"""Database faults: the database going away for a moment.

While it is unreachable every request is still answered at once (never a 5xx, never Bolt's 404
after 3 s) and the person is told TRY_AGAIN; nothing is half-written, whether the outage covers
the whole request or starts at its n-th SQL statement; and once the database is back the same
actions work. Two kinds of outage: the app's engine refusing every connection and statement (both
backends), and on SQLite the database's folder renamed away.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.cli.program import DOT, KOFI, PRIYA, TOMAS, actor, request_values
from bot.emulator import DriverResponse, SlackDriver, SlackEmulator
from bot.emulator.actor import Actor
from bot.services import Services
from handlers import ids
from handlers.errors import TRY_AGAIN
from tests.conftest import TEAM_ID, RunningApp
from tests.hardening.conftest import sqlite_path
from tests.support import seed_pair, snapshot

ACK_SECONDS = 3.0  # Slack shows the person an error when an answer takes longer
Rows = dict[str, list[tuple[Any, ...]]]


class Outage:
    """Makes an engine fail on demand: every connection and statement while `down`, or only
    the n-th statement from `arm(n)` on (the database dropping mid-request)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.down = False
        self.countdown: int | None = None
        self.fired = False
        self.statements = 0
        self._lock = threading.Lock()
        event.listen(engine, "do_connect", self._on_connect)
        event.listen(engine, "before_cursor_execute", self._on_statement)

    def _error(self) -> Exception:
        error: Exception = self.engine.dialect.loaded_dbapi.OperationalError(
            "database unavailable (injected by the test)"
        )
        return error

    def _on_connect(self, *_: Any) -> None:
        if self.down:
            raise self._error()

    def _on_statement(self, *_: Any) -> None:
        if self.down:
            raise self._error()
        with self._lock:
            self.statements += 1
            if self.countdown is None:
                return
            self.countdown -= 1
            if self.countdown > 0:
                return
            self.countdown, self.fired = None, True
        raise self._error()

    def arm(self, statement: int) -> None:
        with self._lock:
            self.countdown, self.fired = statement, False

    def disarm(self) -> None:
        with self._lock:
            self.countdown = None

    @contextmanager
    def everything(self) -> Iterator[None]:
        self.down = True
        self.engine.dispose()  # pooled connections go too: every request must connect anew
        try:
            yield
        finally:
            self.down = False

    def close(self) -> None:
        event.remove(self.engine, "do_connect", self._on_connect)
        event.remove(self.engine, "before_cursor_execute", self._on_statement)


@pytest.fixture(scope="module")
def outage(module_services: Services) -> Iterator[Outage]:
    made = Outage(module_services.database.engine)
    yield made
    made.close()


def _settle(emulator: SlackEmulator, quiet: float = 0.3, timeout: float = 10.0) -> None:
    """Wait until the app has made no Slack call for `quiet` seconds (its after-ack work)."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(emulator.calls(include_failed=True))
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.02)


def _shown_since(emulator: SlackEmulator, mark: int, reply: DriverResponse | None = None) -> str:
    """Everything the app showed after call number `mark`: its HTTP answer, response_url
    messages, posts and views."""
    calls = emulator.calls(include_failed=True)[mark:]
    shown = [str(call.params) for call in calls]
    if reply is not None:
        shown.append(reply.text)
    return "\n".join(shown)


HELP_ASKERS = 8


def _people(count: int, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}{n:03d}",
            "name": f"{prefix.lower()}{n}",
            "real_name": f"Fault Person {n}",
            "display_name": f"Fault {n}",
            "tz": "Europe/Lisbon",
        }
        for n in range(count)
    ]


def _check_answer(reply: DriverResponse, what: str) -> None:
    assert reply.status == 200, f"{what}: {reply.status} {reply.text[:200]}"
    assert reply.elapsed < ACK_SECONDS, f"{what}: answered after {reply.elapsed:.1f}s"


# -- the whole database away -----------------------------------------------------------------


def test_while_the_database_is_away_every_request_is_answered_and_nothing_is_written(
    module_app: RunningApp,
    module_driver: SlackDriver,
    module_emulator: SlackEmulator,
    outage: Outage,
) -> None:
    driver, emulator, services = module_driver, module_emulator, module_app.services
    emulator.add_team("xoxb-emulator-token", TEAM_ID, _people(3 + HELP_ASKERS, "U0OUT"))
    asker, volunteer = actor(driver, emulator, "U0OUT000"), actor(driver, emulator, "U0OUT001")
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[services.now()],
    )
    kofi = actor(driver, emulator, KOFI)
    request_view = asker.open_modal("/coach", "Better SQL")
    offer_view = volunteer.open_modal("/mentoring", "offer")
    reflect_view = kofi.open_modal("/mentoring", "reflect")
    _settle(emulator)
    before = snapshot(services.database)

    request_answers = request_values(need="Better SQL for reports", manager=PRIYA)
    offer_answers = {ids.OFFER_ROLES: ["coach"], ids.OFFER_TOPICS: "SQL", ids.OFFER_CAPACITY: "2"}
    reflection = {ids.REFLECT_LEARNED: "Query plans first", ids.REFLECT_USEFUL: "4"}
    attempts: list[tuple[str, Callable[[], DriverResponse]]] = [
        ("/mentoring mute", lambda: kofi.command("/mentoring", "mute")),
        ("/mentoring me", lambda: kofi.command("/mentoring", "me")),
        ("/mentoring offer pause", lambda: volunteer.command("/mentoring", "offer pause")),
        ("/mentoring shoutouts off", lambda: kofi.command("/mentoring", "shoutouts off")),
        ("/mentoring offer", lambda: volunteer.command("/mentoring", "offer")),
        ("/mentor", lambda: asker.command("/mentor", "Career direction")),
        ("request form", lambda: asker.submit(request_view, request_answers)),
        ("offer form", lambda: volunteer.submit(offer_view, offer_answers)),
        ("reflection form", lambda: kofi.submit(reflect_view, reflection)),
        # Help needs no records, but noting who asked does (after the ack), for someone this
        # process has not noted lately: each is told that failed, and nothing piles up.
        *[
            (
                f"/mentoring help #{n}",
                partial(driver.command, f"U0OUT{3 + n:03d}", "/mentoring", "help"),
            )
            for n in range(HELP_ASKERS)
        ],
    ]
    with outage.everything():
        for what, attempt in attempts:
            mark = len(emulator.calls(include_failed=True))
            reply = attempt()
            _check_answer(reply, what)
            _settle(emulator, quiet=0.15)
            shown = _shown_since(emulator, mark, reply)
            assert TRY_AGAIN in shown, f"{what}: the person was not told to try again:\n{shown}"
            if what.startswith("/mentoring help"):
                assert "Here is what Mentorbot can do." in reply.text  # the ack itself arrived
        assert not services.database.ping()
    assert services.database.ping()
    assert snapshot(services.database) == before, "something was written during the outage"

    # Back: the same forms, still open beneath the error modal, now go through.
    for view_id, person, answers in (
        (request_view, asker, request_answers),
        (offer_view, volunteer, offer_answers),
        (reflect_view, kofi, reflection),
    ):
        reply = person.submit(view_id, answers)
        _check_answer(reply, "after the outage")
        assert reply.json()["response_action"] == "update", reply.text
    assert snapshot(services.database) != before


def test_sqlite_folder_renamed_away_then_back(
    module_app: RunningApp,
    module_driver: SlackDriver,
    module_emulator: SlackEmulator,
    tmp_path: Path,
) -> None:
    services = module_app.services
    path = sqlite_path(services.settings.database_url)
    if path is None:
        pytest.skip("SQLite only: the file's folder is moved away")
    driver, emulator = module_driver, module_emulator
    emulator.add_team("xoxb-emulator-token", TEAM_ID, _people(1, "U0MOVE"))
    person = actor(driver, emulator, "U0MOVE000")
    view_id = person.open_modal("/coach", "Presenting to executives")
    _settle(emulator)
    before = snapshot(services.database)
    answers = request_values(need="Presenting to executives", manager=TOMAS)

    folder, moved = path.parent, tmp_path / "moved-away"
    services.database.dispose()
    folder.rename(moved)
    try:
        for what, attempt in (
            ("request form", lambda: person.submit(view_id, answers)),
            ("/mentoring mute", lambda: person.command("/mentoring", "mute")),
            ("/mentoring help", lambda: person.command("/mentoring", "help")),
        ):
            mark = len(emulator.calls(include_failed=True))
            reply = attempt()
            _check_answer(reply, what)
            _settle(emulator, quiet=0.15)
            assert TRY_AGAIN in _shown_since(emulator, mark, reply), what
        assert not services.database.ping()
    finally:
        services.database.dispose()
        moved.rename(folder)
    assert snapshot(services.database) == before
    reply = person.submit(view_id, answers)
    assert reply.json()["response_action"] == "update", reply.text


# -- the database dropping at the n-th statement of a request ---------------------------------


def _deltas(before: Rows, after: Rows) -> dict[str, int]:
    return {t: len(after[t]) - len(before[t]) for t in after if len(after[t]) != len(before[t])}


def _changed_tables(before: Rows, after: Rows) -> set[str]:
    return {t for t in after if after[t] != before[t]}


FormCase = tuple[str, Callable[[Actor], str], Callable[[Actor], dict[str, Any]]]
FORMS: list[FormCase] = [
    (
        "request form",
        lambda person: person.open_modal("/coach", "SQL for reports"),
        lambda _: request_values(need="SQL for reports", manager=PRIYA, summary="SQL"),
    ),
    (
        "offer form",
        lambda person: person.open_modal("/mentoring", "offer"),
        lambda _: {
            ids.OFFER_ROLES: ["coach", "mentor"],
            ids.OFFER_TOPICS: "Testing and code review",
            ids.OFFER_CAPACITY: "3",
        },
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=[name for name, _, _ in FORMS])
def test_a_failure_at_any_statement_leaves_no_half_written_rows(
    form: FormCase,
    module_app: RunningApp,
    module_driver: SlackDriver,
    module_emulator: SlackEmulator,
    outage: Outage,
) -> None:
    """The submit runs once cleanly to count its statements and what it adds; then once per
    statement with the database failing exactly there. Each time the person is told either
    that it worked or to try again: after "try again" no row differs, after success the same
    rows were added as in the clean run."""
    name, open_form, answers = form
    driver, emulator, services = module_driver, module_emulator, module_app.services
    prefix = "U0ST" + ("REQ" if name.startswith("request") else "OFF")
    crowd = _people(60, prefix)
    emulator.add_team("xoxb-emulator-token", TEAM_ID, crowd)
    people = iter(str(row["id"]) for row in crowd)

    def attempt(fail_at: int | None) -> tuple[bool, Rows, Rows, int]:
        person = actor(driver, emulator, next(people))
        view_id = open_form(person)
        _settle(emulator, quiet=0.15)
        before = snapshot(services.database)
        counted = outage.statements
        mark = len(emulator.calls(include_failed=True))
        if fail_at is not None:
            outage.arm(fail_at)
        try:
            reply = person.submit(view_id, answers(person))
            _check_answer(reply, f"{name} failing at statement {fail_at}")
            _settle(emulator, quiet=0.15)
        finally:
            outage.disarm()
        used = outage.statements - counted
        told = TRY_AGAIN in _shown_since(emulator, mark, reply)
        answer = reply.json() or {}
        worked = answer.get("response_action") == "update"
        assert told != worked, f"{name} at {fail_at}: {reply.text[:300]}"
        return told, before, snapshot(services.database), used

    told, clean_before, clean_after, statements = attempt(None)
    assert not told
    added = _deltas(clean_before, clean_after)
    assert added, f"the clean {name} stored nothing"
    outcomes: Counter[str] = Counter()
    for fail_at in range(1, statements + 1):
        told, before, after, _ = attempt(fail_at)
        if told:
            assert after == before, (
                f"{name} failing at statement {fail_at} of {statements} told the person to "
                f"try again but changed {sorted(_changed_tables(before, after))}"
            )
            outcomes["try again"] += 1
        else:
            assert _deltas(before, after) == added, f"{name} at {fail_at}: partly saved"
            outcomes["saved"] += 1
    assert outcomes["try again"] >= 1
    print(f"\n{name}: {statements} statements, outcomes {dict(outcomes)}")
