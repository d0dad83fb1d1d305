"""Hostile requests: well over a thousand generated requests that Slack would never send (forged,
replayed, truncated, mistyped, oversized, malformed, with non-numeric timestamps, duplicate
headers or bytes that are not UTF-8). Each must be refused with 400 or 401, and the whole batch
must leave the database exactly as it was: every row of every table, the PostgreSQL sequences,
and on SQLite the database file byte for byte. Nothing may reach Slack either.

The batch runs twice: against the in-process server the other tests use, and against the real
`mentorbot serve` (gunicorn, 2 workers) on the same database. Seeded: a failure names the case
and can be replayed. MENTORBOT_LONG_TESTS=1 sends ten times as many.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import string
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import text

from bench._serve import Served, mentorbot_serve
from bot.emulator import SlackDriver, SlackEmulator
from bot.services import Services
from handlers.web import MAX_BODY_BYTES
from storage import people
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, RunningApp
from tests.hardening import rawhttp
from tests.hardening.conftest import sqlite_path
from tests.support import eventually, snapshot

SEED = 20260302
PER_KIND = 150 * (10 if os.environ.get("MENTORBOT_LONG_TESTS") == "1" else 1)  # x 9 kinds
SENDERS = 8
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
PATH = "/slack/events"
LEGIT = ("U0AMARA01", "U0KOFI01", "U0DOROTHEA01", "U0JONAH01")


@dataclass(frozen=True)
class Hostile:
    """One request to send: `claimed` is the Content-Length sent (None: the body's length)."""

    kind: str
    case: str
    body: bytes
    headers: rawhttp.HeaderList
    claimed: int | None = None
    half_close: bool = False
    expect: frozenset[int] = field(default=frozenset({400, 401}))


def _sign(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Slack's signature of `body` at `timestamp` with `secret`."""
    base = b"v0:" + timestamp.encode("latin-1", "replace") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Generator:
    """Seeded hostile requests, built around bodies Slack could send (each one would write to
    the database if it were let through: a person nobody has seen yet is always the actor)."""

    def __init__(self, seed: int, *, duplicate_content_type: bool) -> None:
        self.rng = random.Random(seed)
        self.count = 0
        # Python's wsgiref server hands an app only the first of two Content-Type headers, so
        # behind it the endpoint cannot see the second: only gunicorn's requests get those.
        self.duplicate_content_type = duplicate_content_type

    # -- bodies ------------------------------------------------------------------------------
    def stranger(self) -> str:
        self.count += 1
        return f"U0HOSTILE{self.count:05d}"

    def command_body(self) -> bytes:
        command, words = self.rng.choice(
            [
                ("/mentoring", "offer pause"),
                ("/mentoring", "mute"),
                ("/mentoring", "me"),
                ("/mentoring", "help"),
                ("/mentoring", "shoutouts off"),
                ("/mentor", "I want to grow into a staff role"),
                ("/coach", "SQL window functions"),
            ]
        )
        user = self.stranger()
        fields = {
            "token": "emulator-verification-token",
            "team_id": TEAM_ID,
            "channel_id": "D" + user[1:],
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": words,
            "api_app_id": "A0MENTORBOT",
            "response_url": "http://127.0.0.1:9/response/x",
            "trigger_id": f"{self.rng.randrange(10**12)}.1.{self.rng.getrandbits(64):x}",
        }
        return urllib.parse.urlencode(fields).encode()

    def payload(self) -> dict[str, Any]:
        user = {"id": self.stranger(), "team_id": TEAM_ID, "name": "x"}
        base: dict[str, Any] = {
            "user": user,
            "team": {"id": TEAM_ID, "domain": "larkspur"},
            "api_app_id": "A0MENTORBOT",
            "trigger_id": "1.2.abc",
        }
        choice = self.rng.randrange(3)
        if choice == 0:
            action = {
                "action_id": "request_cancel",
                "block_id": "b",
                "value": "1",
                "type": "button",
            }
            return {**base, "type": "block_actions", "actions": [action], "container": {}}
        if choice == 1:
            state = {
                "offer_topics": {"offer_topics": {"type": "plain_text_input", "value": "SQL"}},
                "offer_capacity": {"offer_capacity": {"type": "plain_text_input", "value": "2"}},
            }
            view = {"id": "V0X", "callback_id": "offer_form", "state": {"values": state}}
            return {**base, "type": "view_submission", "view": view}
        return {**base, "type": "block_actions", "actions": [{"action_id": "me_offer"}]}

    def payload_body(self) -> bytes:
        return urllib.parse.urlencode({"payload": json.dumps(self.payload())}).encode()

    def event_body(self) -> bytes:
        envelope = {
            "token": "emulator-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0MENTORBOT",
            "type": "event_callback",
            "event_id": f"Ev{self.rng.getrandbits(40):X}",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": self.stranger(), "tab": "home"},
        }
        return json.dumps(envelope).encode()

    def any_body(self) -> tuple[bytes, str]:
        pick = self.rng.randrange(3)
        if pick == 0:
            return self.command_body(), FORM
        if pick == 1:
            return self.payload_body(), FORM
        return self.event_body(), JSON_TYPE

    def now(self) -> str:
        return str(int(time.time()))

    def signed(
        self, body: bytes, content_type: str | None, timestamp: str | None = None
    ) -> rawhttp.HeaderList:
        stamp = timestamp or self.now()
        headers = [
            rawhttp.header("X-Slack-Request-Timestamp", stamp),
            rawhttp.header("X-Slack-Signature", _sign(body, stamp)),
        ]
        if content_type is not None:
            headers.insert(0, rawhttp.header("Content-Type", content_type))
        return headers

    def junk(self, size: int) -> str:
        alphabet = string.ascii_letters + string.digits + string.punctuation + " é中\u202e\x00"
        return "".join(self.rng.choice(alphabet) for _ in range(size))

    # -- the nine kinds ----------------------------------------------------------------------
    def forged(self) -> Hostile:
        body, kind = self.any_body()
        stamp = self.now()
        style = self.rng.randrange(6)
        if style == 0:
            secret = self.junk(self.rng.randint(1, 40)).replace("\x00", "")
            signature, case = _sign(body, stamp, secret or "x"), "other secret"
        elif style == 1:
            signature, case = "v0=" + f"{self.rng.getrandbits(256):064x}", "random digest"
        elif style == 2:
            signature, case = _sign(body, stamp).upper().replace("V0=", "v0="), "upper-case hex"
        elif style == 3:
            signature, case = _sign(body, stamp).replace("v0=", "v1="), "other version"
        elif style == 4:
            signature, case = _sign(body, stamp)[:-1] + "é", "non-ASCII signature"
        else:
            signature, case = self.rng.choice(["", "v0=", "v0", "=", "v0=zz"]), "empty or short"
        headers = [
            rawhttp.header("Content-Type", kind),
            rawhttp.header("X-Slack-Request-Timestamp", stamp),
            rawhttp.header("X-Slack-Signature", signature),
        ]
        if not signature:
            headers = headers[:2]
        return Hostile("forged", case, body, headers)

    def replayed(self) -> Hostile:
        body, kind = self.any_body()
        direction = self.rng.choice([-1, 1])
        # Slack allows 300 s either way. A stamp from the future gets closer to now while the
        # batch runs, so it starts well outside the window.
        ages = [301, 302, 600] if direction < 0 else [420, 600]
        age = self.rng.choice([*ages, 3600, 86_400 * 30, 10**9])
        stamp = str(max(0, int(time.time()) + direction * age))
        case = f"{'old' if direction < 0 else 'future'} by {age}s"
        return Hostile("replayed", case, body, self.signed(body, kind, stamp))

    def truncated(self) -> Hostile:
        body, kind = self.any_body()
        cut = self.rng.randrange(len(body))
        headers = self.signed(body, kind)
        if self.rng.random() < 0.5:
            return Hostile("truncated", f"cut at {cut} of {len(body)}", body[:cut], headers)
        return Hostile(
            "truncated",
            f"stream closed at {cut} of {len(body)}",
            body[:cut],
            headers,
            claimed=len(body),
            half_close=True,
        )

    def wrong_content_type(self) -> Hostile:
        body, kind = self.any_body()
        wrong = [
            "text/plain",
            "text/html; charset=utf-8",
            "application/xml",
            "multipart/form-data; boundary=xyz",
            "application/octet-stream",
            "application/x-www-form-urlencodedx",
            "application/jsonp",
            "application",
            ";",
            "",
            None,
        ]
        wrong.append(JSON_TYPE if kind == FORM else FORM)  # the other of Slack's two types
        chosen = self.rng.choice(wrong)
        return Hostile("content type", repr(chosen), body, self.signed(body, chosen))

    def oversized(self) -> Hostile:
        size = MAX_BODY_BYTES + self.rng.choice([1, 2, 1000, 10**6, 10**9])
        prefix = self.command_body() + b"&text="
        if size <= MAX_BODY_BYTES + 1000:  # send all of it, validly signed
            body = prefix + b"a" * (size - len(prefix))
            return Hostile("oversized", f"{size} bytes sent", body, self.signed(body, FORM))
        # claim a huge body, send a little, close the sending side
        return Hostile(
            "oversized",
            f"{size} bytes claimed",
            prefix,
            self.signed(prefix, FORM),
            claimed=size,
            half_close=True,
        )

    def malformed(self) -> Hostile:
        good = json.dumps(self.payload())
        style = self.rng.randrange(9)
        if style == 0:
            raw, case = good[: self.rng.randrange(1, len(good))], "cut JSON"
        elif style == 1:
            raw, case = self.junk(self.rng.randint(0, 80)), "junk"
        elif style == 2:
            raw = self.rng.choice(["[1, 2]", "1", '"x"', "null", "true", "[]", "{}"])
            case = "not an object"
        elif style == 3:
            raw = json.dumps({"type": self.rng.choice([None, 1, [], {}, True])})
            case = "type not a string"
        elif style == 4:
            depth = self.rng.choice([100, 5_000, 50_000])
            raw, case = "[" * depth + "]" * depth, f"nested {depth} deep"
        elif style == 5:
            depth = self.rng.choice([5_000, 50_000])
            raw, case = '{"type": "block_actions", "x": ' + "[" * depth, "deep and cut"
        elif style == 6:
            raw, case = good.replace('"type"', '"typ"'), "no type"
        elif style == 7:
            second = self.rng.choice(["[]", "1", "null", "oops", '"s"'])
            body = urllib.parse.urlencode([("payload", good), ("payload", second)]).encode()
            return Hostile("malformed", f"second payload {second}", body, self.signed(body, FORM))
        else:
            envelope = self.rng.choice(['{"type": ', "[1]", "{}", '{"type": 5}', "nul"])
            body = envelope.encode()
            return Hostile("malformed", f"JSON body {envelope}", body, self.signed(body, JSON_TYPE))
        body = urllib.parse.urlencode({"payload": raw}).encode()
        return Hostile("malformed", case, body, self.signed(body, FORM))

    def bad_timestamp(self) -> Hostile:
        body, kind = self.any_body()
        now = self.now()
        stamp = self.rng.choice(
            [
                "",
                "soon",
                now + ".5",
                "-" + now,
                "+" + now,
                now[:5] + " " + now[5:],
                "0x" + format(int(now), "x"),
                "1e9",
                "NaN",
                "∞",
                now + "²",  # a digit to str.isdigit(), not to int()
                "¹²³",
                "\u0661\u0667" + "\u0660" * 8,  # Arabic-Indic digits, sent as UTF-8 bytes
                "1" * 4301,  # more digits than int() converts
                "9" * 30,
                now + "\x00",
                now[:-1] + "\t" + now[-1],
            ]
        )
        headers = [
            rawhttp.header("Content-Type", kind),
            rawhttp.header("X-Slack-Request-Timestamp", stamp),
            rawhttp.header("X-Slack-Signature", _sign(body, stamp)),
        ]
        return Hostile("timestamp", repr(stamp[:40]), body, headers)

    def duplicate_headers(self) -> Hostile:
        body, kind = self.any_body()
        stamp = self.now()
        signature = _sign(body, stamp)
        other_stamp = str(int(stamp) - 1)
        style = self.rng.randrange(7 if self.duplicate_content_type else 5)
        headers = [rawhttp.header("Content-Type", kind)]
        if style == 0:
            case = "signature twice"
            headers += [
                rawhttp.header("X-Slack-Request-Timestamp", stamp),
                rawhttp.header("X-Slack-Signature", signature),
                rawhttp.header("X-Slack-Signature", signature),
            ]
        elif style == 1:
            case = "a forged signature, then the real one"
            headers += [
                rawhttp.header("X-Slack-Request-Timestamp", stamp),
                rawhttp.header("X-Slack-Signature", "v0=" + "0" * 64),
                rawhttp.header("X-Slack-Signature", signature),
            ]
        elif style == 2:
            case = "timestamp twice"
            headers += [
                rawhttp.header("X-Slack-Request-Timestamp", stamp),
                rawhttp.header("X-Slack-Request-Timestamp", stamp),
                rawhttp.header("X-Slack-Signature", signature),
            ]
        elif style == 3:
            case = "two timestamps"
            headers += [
                rawhttp.header("X-Slack-Request-Timestamp", other_stamp),
                rawhttp.header("X-Slack-Request-Timestamp", stamp),
                rawhttp.header("X-Slack-Signature", signature),
            ]
        elif style == 4:
            case = "signature twice, names in other cases"
            headers += [
                rawhttp.header("X-Slack-Request-Timestamp", stamp),
                rawhttp.header("x-slack-signature", signature),
                rawhttp.header("X-SLACK-SIGNATURE", signature),
            ]
        elif style == 5:
            case = "content type twice"
            headers += [rawhttp.header("Content-Type", kind), *self.signed(body, None, stamp)]
        else:
            case = "two content types"
            other = JSON_TYPE if kind == FORM else FORM
            headers += [rawhttp.header("Content-Type", other), *self.signed(body, None, stamp)]
        return Hostile("duplicate headers", case, body, headers)

    def not_utf8(self) -> Hostile:
        style = self.rng.randrange(5)
        if style == 0:
            body, case = bytes(self.rng.getrandbits(8) for _ in range(64)) + b"\xff", "random"
        elif style == 1:
            body, case = "command=/mentoring&text=café".encode("latin-1"), "latin-1"
        elif style == 2:
            body, case = b"command=/mentoring&text=\xc0\xaf", "overlong"
        elif style == 3:
            body, case = b'{"type": "event_callback", "x": "\xed\xa0\x80"}', "surrogate"
        else:
            good = self.command_body()
            at = self.rng.randrange(len(good))
            body, case = good[:at] + b"\x80" + good[at:], "stray continuation byte"
        kind = JSON_TYPE if body.startswith(b"{") else FORM
        signed = self.rng.random() < 0.7
        headers = self.signed(body, kind) if signed else self.signed(body + b"x", kind)
        return Hostile("not UTF-8", case + (" signed" if signed else " unsigned"), body, headers)

    def batch(self, per_kind: int) -> list[Hostile]:
        makers: list[Callable[[], Hostile]] = [
            self.forged,
            self.replayed,
            self.truncated,
            self.wrong_content_type,
            self.oversized,
            self.malformed,
            self.bad_timestamp,
            self.duplicate_headers,
            self.not_utf8,
        ]
        made = [make() for make in makers for _ in range(per_kind)]
        self.rng.shuffle(made)
        return made


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
