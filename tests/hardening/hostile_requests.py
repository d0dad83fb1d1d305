"""Hostile requests, seeded: bodies Slack could send, each turned into one of nine kinds of request
Slack would never send (forged, replayed, truncated, mistyped, oversized, malformed, with
non-numeric timestamps, duplicate headers or bytes that are not UTF-8)."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import string
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.web import MAX_BODY_BYTES
from tests.conftest import SIGNING_SECRET, TEAM_ID
from tests.hardening import rawhttp

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


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
