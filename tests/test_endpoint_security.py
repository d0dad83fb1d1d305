"""The real endpoint refuses anything Slack did not sign, and such a request changes no row."""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.parse
from typing import Any, cast

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from handlers import web
from storage import people
from tests.support import eventually, snapshot


def _command_body(text: str = "help", user: str = "U0AMARA01") -> bytes:
    return urllib.parse.urlencode(
        {
            "command": "/mentoring",
            "text": text,
            "user_id": user,
            "team_id": "T0EMULATOR",
            "channel_id": "D0AMARA01",
            "trigger_id": "1.2.abc",
            "response_url": "http://127.0.0.1:9/x",
        }
    ).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_signed_command_is_answered_and_remembers_the_person(driver, running_app):
    response = driver.command("U0AMARA01", "/mentoring", "help")
    assert response.status == 200
    database = running_app.services.database

    def stored_zone():
        with database.reading() as session:
            person = people.by_slack_id(session, team_id="T0EMULATOR", slack_user_id="U0AMARA01")
            return person.tz if person is not None else None

    assert eventually(stored_zone) == "America/New_York"  # learned from users.info


@pytest.mark.parametrize(
    "case",
    [
        "bad_signature",
        "stale_timestamp",
        "missing_signature",
        "missing_timestamp",
        "non_numeric_timestamp",
        "other_secret",
    ],
)
def test_unsigned_requests_get_401_and_change_nothing(case, driver, running_app):
    database = running_app.services.database
    before = snapshot(database)
    body = _command_body()
    now = int(time.time())
    headers = {**FORM, **driver.sign(body, now)}
    if case == "bad_signature":
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif case == "stale_timestamp":
        headers = {**FORM, **driver.sign(body, now - 301)}
    elif case == "missing_signature":
        del headers["X-Slack-Signature"]
    elif case == "missing_timestamp":
        del headers["X-Slack-Request-Timestamp"]
    elif case == "non_numeric_timestamp":
        headers["X-Slack-Request-Timestamp"] = "soon"
    elif case == "other_secret":
        from bot.emulator import SlackDriver

        forger = SlackDriver(running_app.events_url, "not-the-secret", driver.emulator)
        headers = {**FORM, **forger.sign(body, now)}
    response = driver.post(body, headers)
    assert response.status == 401
    time.sleep(0.1)
    assert snapshot(database) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
        (b'{"type": ', "application/json"),
        (b"command=/mentoring&text=help", "text/plain"),
        (b"hello=world", "application/x-www-form-urlencoded"),
    ],
)
def test_signed_but_malformed_requests_get_400(body, content_type, driver, running_app):
    before = snapshot(running_app.services.database)
    response = driver.post(body, {"Content-Type": content_type, **driver.sign(body)})
    assert response.status == 400
    assert snapshot(running_app.services.database) == before


def test_oversized_body_is_refused(driver):
    body = b"command=/mentoring&text=" + b"a" * 300_000
    response = driver.post(body, {**FORM, **driver.sign(body)})
    assert response.status == 400


def test_unknown_path_and_method(driver, running_app):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(running_app.url + "/nope", timeout=5)
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as wrong_method:
        urllib.request.urlopen(running_app.events_url, timeout=5)
    assert wrong_method.value.code == 405


def test_healthz_reports_the_database(running_app):
    import urllib.request

    with urllib.request.urlopen(running_app.url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read())["database"] == "reachable"


def test_answered_is_set_only_once_the_answer_has_been_sent(services, emulator):
    """A listener that changes what its ack showed waits on `web.answered`: it must not be set
    while the server still holds the response (that update would then be overwritten)."""
    seen: list[threading.Event | None] = []
    app = App(
        signing_secret=services.settings.slack_signing_secret,
        client=WebClient(token="xoxb-emulator-token", base_url=emulator.api_url),
        token_verification_enabled=False,
        request_verification_enabled=False,
    )

    @app.command("/mentoring")
    def answer(ack, context):
        seen.append(web.answered(context))
        ack("ok")

    front_door = web.SlackWebApp(app, services)
    body = _command_body()
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(services.settings.slack_signing_secret).generate_signature(
        timestamp=timestamp, body=body.decode()
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": web.EVENTS_PATH,
        "CONTENT_TYPE": FORM["Content-Type"],
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_SLACK_SIGNATURE": signature,
        "wsgi.input": io.BytesIO(body),
    }
    statuses: list[str] = []

    def start_response(status: str, headers: Any) -> None:
        statuses.append(status)

    sent: Any = front_door(environ, cast(Any, start_response))
    assert statuses == ["200 OK"] and b"".join(sent) == b"ok"
    (answered,) = seen
    assert answered is not None and not answered.is_set()
    sent.close()  # what a WSGI server does once the body is written
    assert answered.is_set()
