"""Hostile requests: well over a thousand generated requests that Slack would never send (forged,
replayed, truncated, mistyped, oversized, malformed, with non-numeric timestamps, duplicate
headers or bytes that are not UTF-8). Each must be refused with 400 or 401, and the whole batch
must leave the database exactly as it was: every row of every table, the PostgreSQL sequences,
and on SQLite the database file byte for byte. Nothing may reach Slack either.

The batch runs twice: against the in-process server the other tests use, and against the real
`mentorbot serve` (gunicorn, 2 workers) on the same database. Seeded: a failure names the case
and can be replayed. MENTORBOT_LONG_TESTS=1 sends ten times as many. The requests are made by
tests/hardening/hostile_requests.py; this module holds what must not change and the two targets.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from bench._serve import Served, mentorbot_serve
from bot.emulator import SlackDriver, SlackEmulator
from bot.services import Services
from storage import people
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, RunningApp
from tests.hardening import rawhttp
from tests.hardening.conftest import sqlite_path
from tests.hardening.hostile_requests import Generator, Hostile
from tests.support import eventually, snapshot

SEED = 20260302
PER_KIND = 150 * (10 if os.environ.get("MENTORBOT_LONG_TESTS") == "1" else 1)  # x 9 kinds
SENDERS = 8
PATH = "/slack/events"
LEGIT = ("U0AMARA01", "U0KOFI01", "U0DOROTHEA01", "U0JONAH01")


# -- the state that must not change --------------------------------------------------------


_SQLITE_TOOL = """
import hashlib, sqlite3, sys
path, checkpoint = sys.argv[1], sys.argv[2] == "1"
if checkpoint:
    connection = sqlite3.connect(path, timeout=10)
    busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    connection.close()
    if busy:
        sys.exit("a reader held the database during the checkpoint")
digest = hashlib.sha256(open(path, "rb").read())
try:
    digest.update(open(path + "-wal", "rb").read())
except FileNotFoundError:
    pass
print(digest.hexdigest())
"""


def _file_digest(database_url: str, *, checkpoint: bool = False) -> str | None:
    """SHA-256 of the SQLite database file and its write-ahead log (None on PostgreSQL).

    With `checkpoint`, the log is first folded into the file, so the file's bytes are the
    data's bytes and a connection closing later has nothing left to fold in. Both run in a
    child process: closing any descriptor of a database file drops every POSIX lock this
    process holds on it, under the feet of the app's own SQLite connections (SQLite's "how to
    corrupt your database" list; here it showed as "disk I/O error" in the server).
    """
    path = sqlite_path(database_url)
    if path is None:
        return None
    done = subprocess.run(
        [sys.executable, "-c", _SQLITE_TOOL, str(path), "1" if checkpoint else "0"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def _sequences(services: Services) -> list[tuple[Any, ...]]:
    """Every PostgreSQL sequence's position (what pg_dump would record): a refused insert that
    rolled back still moves one. Empty on SQLite, whose sqlite_sequence is in the file digest."""
    if services.database.engine.dialect.name != "postgresql":
        return []
    with services.database.engine.connect() as connection:
        names = connection.execute(
            text("SELECT schemaname, sequencename FROM pg_sequences ORDER BY 1, 2")
        ).all()
        return [
            (name, *connection.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())  # noqa: S608 - names from pg_sequences
            for _, name in names
        ]


@dataclass
class State:
    rows: dict[str, list[tuple[Any, ...]]]
    file: str | None
    sequences: list[tuple[Any, ...]]
    slack_calls: int


def _state(services: Services, emulator: SlackEmulator, *, checkpoint: bool = False) -> State:
    url = services.settings.database_url
    return State(
        rows=snapshot(services.database),
        file=_file_digest(url, checkpoint=checkpoint),
        sequences=_sequences(services),
        slack_calls=len(emulator.calls(include_failed=True)),
    )


# -- targets -------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    host: str
    port: int
    services: Services
    emulator: SlackEmulator

    def driver(self) -> SlackDriver:
        url = f"http://{self.host}:{self.port}{PATH}"
        return SlackDriver(url, SIGNING_SECRET, self.emulator, team_id=TEAM_ID)


@pytest.fixture(scope="module", params=["in-process", "gunicorn"])
def target(
    request: pytest.FixtureRequest,
    module_app: RunningApp,
    module_services: Services,
    module_emulator: SlackEmulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Target]:
    if request.param == "in-process":
        host, port = module_app.server.server.server_address[:2]
        yield Target("in-process", str(host), int(port), module_services, module_emulator)
        return
    folder = tmp_path_factory.mktemp("serve")
    served: Served
    with mentorbot_serve(
        folder=folder,
        database_url=module_services.settings.database_url,
        api_url=module_emulator.api_url,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        workers=2,
        threads=4,
    ) as served:
        yield Target("gunicorn", "127.0.0.1", served.port, module_services, module_emulator)


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


def _seed(target: Target) -> None:
    """Real, signed traffic first, so there are rows a hostile request could disturb."""
    driver = target.driver()
    for user in LEGIT:
        assert driver.command(user, "/mentoring", "help").status == 200
    assert driver.command(LEGIT[0], "/mentoring", "mute").status == 200

    def remembered() -> bool:
        with target.services.database.reading() as session:
            found = [people.by_slack_id(session, team_id=TEAM_ID, slack_user_id=u) for u in LEGIT]
        return all(person is not None and person.display_name for person in found)

    eventually(remembered)
    _settle(target.emulator)


def _send(target: Target, hostile: Hostile) -> rawhttp.RawReply:
    return rawhttp.post(
        target.host,
        target.port,
        PATH,
        hostile.headers,
        hostile.body,
        content_length=hostile.claimed,
        half_close=hostile.half_close,
    )


def test_every_hostile_request_is_refused_and_changes_nothing(target: Target) -> None:
    _seed(target)
    generator = Generator(
        SEED + (0 if target.name == "in-process" else 1),
        duplicate_content_type=target.name == "gunicorn",
    )
    batch = generator.batch(PER_KIND)
    assert len(batch) >= 1000
    before = _state(target.services, target.emulator, checkpoint=True)
    assert before.rows["people"], "the seed traffic stored nobody"

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        replies = list(pool.map(lambda h: _send(target, h), batch))
    elapsed = time.monotonic() - started
    time.sleep(0.3)  # anything a leaked request started after its ack would have begun by now

    wrong = [
        f"{h.kind} / {h.case}: {r.status} {r.body[:80]!r}"
        for h, r in zip(batch, replies, strict=True)
        if r.status not in h.expect
    ]
    assert not wrong, f"{len(wrong)} of {len(batch)} not refused:\n" + "\n".join(wrong[:40])
    after = _state(target.services, target.emulator)
    assert after.rows == before.rows
    assert after.sequences == before.sequences
    assert after.file == before.file, "the SQLite file changed"
    assert after.slack_calls == before.slack_calls, "a refused request reached Slack"

    statuses = Counter(r.status for r in replies)
    kinds = Counter(h.kind for h in batch)
    print(
        f"\n{target.name}: {len(batch)} hostile requests in {elapsed:.1f}s, "
        f"statuses {dict(statuses)}, kinds {dict(kinds)}"
    )
    # and the endpoint still serves Slack
    assert target.driver().command(LEGIT[1], "/mentoring", "help").status == 200
