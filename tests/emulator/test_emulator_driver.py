"""The driver signs like Slack and sends Slack-shaped payloads; a stub app records them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.emulator import SlackDriver, SlackEmulator, find_action, input_values
from bot.emulator.server import DEFAULT_TOKEN

SECRET = "test-signing-secret"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def payload(self) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(self.form()["payload"]))


Answer = tuple[int, bytes, str]


@dataclass
class StubApp:
    """Records each request and answers with `answer` (empty 200 by default)."""

    received: list[Received] = field(default_factory=list)
    answer: Callable[[Received], Answer] = lambda _: (200, b"", "text/plain")

    def reply_json(self, body: dict[str, Any]) -> None:
        self.answer = lambda _: (200, json.dumps(body).encode(), "application/json")

    @property
    def last(self) -> Received:
        return self.received[-1]


class _StubHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        stub: StubApp = self.server.stub  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        request = Received(dict(self.headers.items()), self.rfile.read(length))
        stub.received.append(request)
        status, body, content_type = stub.answer(request)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[tuple[StubApp, str]]:
    app = StubApp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StubHandler)
    server.stub = app  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        yield emu


@pytest.fixture
def app(stub: tuple[StubApp, str]) -> StubApp:
    return stub[0]


@pytest.fixture
def driver(stub: tuple[StubApp, str], emulator: SlackEmulator) -> SlackDriver:
    return SlackDriver(stub[1], SECRET, emulator)


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(base_url=emulator.api_url, token=DEFAULT_TOKEN)


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def test_signature_verifies_with_slack_sdk(driver: SlackDriver, app: StubApp) -> None:
    driver.command("U0JONAH01", "/mentor", "career growth")
    headers, body = app.last.headers, app.last.body
    timestamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert SignatureVerifier(SECRET).is_valid(body=body, timestamp=timestamp, signature=signature)
    assert not SignatureVerifier("other").is_valid(
        body=body, timestamp=timestamp, signature=signature
    )
    fixed = driver.sign(b"a=1", timestamp=1_700_000_000)
    expected = SignatureVerifier(SECRET).generate_signature(timestamp="1700000000", body="a=1")
    assert fixed == {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": expected}


def test_command_payload(driver: SlackDriver, app: StubApp, client: WebClient) -> None:
    driver.command("U0JONAH01", "/mentor", "career growth")
    form = app.last.form()
    assert app.last.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert {k: form[k] for k in ("team_id", "team_domain", "channel_id", "channel_name")} == {
        "team_id": "T0EMULATOR",
        "team_domain": "larkspur",
        "channel_id": "D0JONAH01",
        "channel_name": "directmessage",
    }
    assert (form["user_id"], form["user_name"], form["command"]) == (
        "U0JONAH01",
        "jonah.whitcombe",
        "/mentor",
    )
    assert (form["text"], form["api_app_id"], form["is_enterprise_install"]) == (
        "career growth",
        "A0MENTORBOT",
        "false",
    )
    assert "enterprise_id" not in form
    assert form["token"]
    modal = {"type": "modal", "title": plain("Find a mentor"), "blocks": []}
    assert client.views_open(trigger_id=form["trigger_id"], view=modal)["ok"]
    assert WebhookClient(form["response_url"]).send(text="Thanks!").status_code == 200

    driver.command("U0MARCUS01", "/mentoring", "status", channel_id="C0COORD", retry_num=1)
    assert app.last.form()["channel_name"] == "mentoring-coordinators"
    assert app.last.headers["X-Slack-Retry-Num"] == "1"
    assert app.last.headers["X-Slack-Retry-Reason"] == "http_timeout"


def test_command_ack_is_shown_to_the_user(
    driver: SlackDriver, app: StubApp, emulator: SlackEmulator
) -> None:
    app.reply_json({"text": "Looking for mentors…"})
    reply = driver.command("U0JONAH01", "/mentor", "x")
    assert reply.json() == {"text": "Looking for mentors…"}
    assert emulator.ephemerals("U0JONAH01")[-1]["text"] == "Looking for mentors…"
    seen = emulator.seen("U0JONAH01")[-1]
    assert (seen.kind, seen.channel, seen.text) == (
        "ephemeral",
        "D0JONAH01",
        "Looking for mentors…",
    )

    app.answer = lambda _: (200, b"plain words", "text/plain")
    plain_reply = driver.command("U0JONAH01", "/mentor", "x")
    assert plain_reply.json() is None
    assert plain_reply.as_message() == {"text": "plain words"}
    assert emulator.seen("U0JONAH01")[-1].text == "plain words"

    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}]
    app.reply_json({"blocks": too_long})
    driver.command("U0JONAH01", "/mentor", "x")
    assert emulator.calls("ack", include_failed=True)[-1].error == "invalid_blocks"

    app.answer = lambda _: (200, b"", "text/plain")
    before = len(emulator.seen())
    silent = driver.command("U0JONAH01", "/mentor", "x")
    assert (silent.json(), silent.as_message()) == (None, None)
    assert len(emulator.seen()) == before


def test_click_a_message_button(
    driver: SlackDriver, app: StubApp, emulator: SlackEmulator, client: WebClient
) -> None:
    buttons = {
        "type": "actions",
        "elements": [
            {"type": "button", "text": plain("Accept"), "action_id": "accept", "value": "r1"},
            {"type": "button", "text": plain("Decline"), "action_id": "decline", "value": "r1"},
        ],
    }
    metadata = {"event_type": "request", "event_payload": {"id": 1}}
    posted = client.chat_postMessage(
        channel="U0DOROTHEA01", text="Mentor Jonah?", blocks=[buttons], metadata=metadata
    )
    driver.click("U0DOROTHEA01", "accept", message=(posted["channel"], posted["ts"]))
    payload = app.last.payload()
    assert payload["type"] == "block_actions"
    assert payload["user"] == {
        "id": "U0DOROTHEA01",
        "username": "dorothea.vance",
        "name": "dorothea.vance",
        "team_id": "T0EMULATOR",
    }
    assert payload["team"] == {"id": "T0EMULATOR", "domain": "larkspur"}
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "D0DOROTHEA01",
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": "D0DOROTHEA01", "name": "directmessage"}
    assert payload["message"]["ts"] == posted["ts"]
    assert "metadata" not in payload["message"]
    (action,) = payload["actions"]
    block_id = posted["message"]["blocks"][0]["block_id"]
    assert {k: action[k] for k in ("action_id", "block_id", "type", "value")} == {
        "action_id": "accept",
        "block_id": block_id,
        "type": "button",
        "value": "r1",
    }
    assert action["text"] == plain("Accept")
    assert client.views_open(
        trigger_id=payload["trigger_id"], view={"type": "modal", "title": plain("T"), "blocks": []}
    )["ok"]

    hook = WebhookClient(payload["response_url"])
    assert hook.send(text="You accepted", replace_original=True).status_code == 200
    assert emulator.messages("D0DOROTHEA01")[0]["text"] == "You accepted"
    with pytest.raises(LookupError):
        driver.click("U0DOROTHEA01", "missing", message=("D0DOROTHEA01", posted["ts"]))
    with pytest.raises(ValueError, match="exactly one"):
        driver.click("U0DOROTHEA01", "accept")


def test_click_an_ephemeral_button(
    driver: SlackDriver, app: StubApp, emulator: SlackEmulator, client: WebClient
) -> None:
    yes = {"type": "button", "text": plain("Yes"), "action_id": "yes"}
    block = {"type": "section", "text": plain("Sure?"), "accessory": yes}
    sent = client.chat_postEphemeral(
        channel="D0JONAH01", user="U0JONAH01", text="?", blocks=[block]
    )
    driver.click("U0JONAH01", "yes", "ok", message=("D0JONAH01", sent["message_ts"]))
    payload = app.last.payload()
    assert payload["container"]["is_ephemeral"] is True
    assert "message" not in payload
    assert payload["actions"][0]["value"] == "ok"


def test_click_in_a_modal_with_a_select(
    driver: SlackDriver, app: StubApp, emulator: SlackEmulator, client: WebClient
) -> None:
    select = {
        "type": "static_select",
        "action_id": "kind",
        "options": [option("Mentor", "mentor"), option("Coach", "coach")],
    }
    view = {
        "type": "modal",
        "title": plain("Request"),
        "blocks": [{"type": "actions", "block_id": "kinds", "elements": [select]}],
    }
    opened = client.views_open(trigger_id=emulator.issue_trigger("U0JONAH01"), view=view)["view"]
    driver.click("U0JONAH01", "kind", view_id=opened["id"], selected_option="coach")
    payload = app.last.payload()
    assert payload["container"] == {"type": "view", "view_id": opened["id"]}
    assert payload["view"]["id"] == opened["id"]
    (action,) = payload["actions"]
    assert (action["block_id"], action["type"]) == ("kinds", "static_select")
    assert action["selected_option"] == option("Coach", "coach")
    assert "response_url" not in payload


def request_modal() -> dict[str, Any]:
    def field(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
        return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}

    kinds = [option("Mentor", "mentor"), option("Coach", "coach")]
    return {
        "type": "modal",
        "callback_id": "request",
        "private_metadata": '{"draft": 3}',
        "title": plain("Find a mentor"),
        "submit": plain("Send"),
        "notify_on_close": True,
        "blocks": [
            field("goal", "Goal", {"type": "plain_text_input", "action_id": "goal_text"}),
            field(
                "note",
                "Note",
                {"type": "plain_text_input", "action_id": "note_text", "initial_value": "hi"},
            ),
            field("kind", "Kind", {"type": "static_select", "action_id": "kind", "options": kinds}),
            field("kinds", "Kinds", {"type": "checkboxes", "action_id": "kinds", "options": kinds}),
            field("who", "Who", {"type": "multi_users_select", "action_id": "who"}),
            field("start", "Start", {"type": "datepicker", "action_id": "start"}),
            field(
                "hours",
                "Hours",
                {"type": "number_input", "action_id": "hours", "is_decimal_allowed": False},
            ),
        ],
    }


def test_input_values_shapes() -> None:
    values = input_values(
        request_modal(),
        {
            "goal_text": "Lead",
            "kind": "coach",
            "kinds": ["mentor"],
            "who": ["U0HANA01"],
            "start": "2025-03-01",
            "hours": 2,
        },
    )
    assert values == {
        "goal": {"goal_text": {"type": "plain_text_input", "value": "Lead"}},
        "note": {"note_text": {"type": "plain_text_input", "value": "hi"}},
        "kind": {"kind": {"type": "static_select", "selected_option": option("Coach", "coach")}},
        "kinds": {
            "kinds": {"type": "checkboxes", "selected_options": [option("Mentor", "mentor")]}
        },
        "who": {"who": {"type": "multi_users_select", "selected_users": ["U0HANA01"]}},
        "start": {"start": {"type": "datepicker", "selected_date": "2025-03-01"}},
        "hours": {"hours": {"type": "number_input", "value": "2"}},
    }
    empty = input_values(request_modal(), {})
    assert empty["kind"]["kind"]["selected_option"] is None
    assert empty["goal"]["goal_text"]["value"] is None
    with pytest.raises(KeyError):
        input_values(request_modal(), {"nope": 1})
    with pytest.raises(ValueError, match="no option"):
        input_values(request_modal(), {"kind": "therapist"})
    assert find_action(request_modal()["blocks"], "start") == (
        "start",
        {"type": "datepicker", "action_id": "start"},
    )


def test_submit_view_applies_response_actions(
    driver: SlackDriver, app: StubApp, emulator: SlackEmulator, client: WebClient
) -> None:
    opened = client.views_open(trigger_id=emulator.issue_trigger("U0JONAH01"), view=request_modal())
    view_id = opened["view"]["id"]
    values = input_values(opened["view"], {"goal_text": "Lead a team", "kind": "mentor"})

    app.reply_json({"response_action": "errors", "errors": {"goal": "Say a bit more"}})
    reply = driver.submit_view("U0JONAH01", view_id, values)
    payload = app.last.payload()
    assert payload["type"] == "view_submission"
    assert payload["view"]["state"]["values"] == values
    assert (payload["view"]["callback_id"], payload["view"]["private_metadata"]) == (
        "request",
        '{"draft": 3}',
    )
    assert payload["view"]["hash"] == opened["view"]["hash"]
    assert reply.json()["errors"] == {"goal": "Say a bit more"}
    assert [v["id"] for v in emulator.open_views("U0JONAH01")] == [view_id]

    thanks = {"type": "modal", "title": plain("Thanks"), "blocks": []}
    app.reply_json({"response_action": "update", "view": thanks})
    driver.submit_view("U0JONAH01", view_id, values)
    assert emulator.view(view_id)["title"]["text"] == "Thanks"
    app.reply_json({"response_action": "push", "view": thanks})
    driver.submit_view("U0JONAH01", view_id, values)
    assert len(emulator.open_views("U0JONAH01")) == 2
    app.reply_json({"response_action": "update", "view": {"type": "modal", "blocks": []}})
    driver.submit_view("U0JONAH01", view_id, values)
    assert emulator.calls("response_action", include_failed=True)[-1].error == "invalid_arguments"
    app.answer = lambda _: (200, b"", "text/plain")
    top = emulator.open_views("U0JONAH01")[-1]["id"]
    driver.submit_view("U0JONAH01", top, values)
    assert [v["id"] for v in emulator.open_views("U0JONAH01")] == [view_id]
    app.reply_json({"response_action": "clear"})
    driver.submit_view("U0JONAH01", view_id)
    assert emulator.open_views("U0JONAH01") == []


def test_close_view(
    driver: SlackDriver, app: StubApp, emulator: SlackEmulator, client: WebClient
) -> None:
    notify = client.views_open(trigger_id=emulator.issue_trigger("U0JONAH01"), view=request_modal())
    reply = driver.close_view("U0JONAH01", notify["view"]["id"])
    assert reply is not None
    payload = app.last.payload()
    assert (payload["type"], payload["is_cleared"]) == ("view_closed", False)
    assert payload["view"]["id"] == notify["view"]["id"]
    quiet = {"type": "modal", "title": plain("Quiet"), "blocks": []}
    opened = client.views_open(trigger_id=emulator.issue_trigger("U0JONAH01"), view=quiet)
    count = len(app.received)
    assert driver.close_view("U0JONAH01", opened["view"]["id"]) is None
    assert len(app.received) == count
    assert emulator.open_views("U0JONAH01") == []


def test_event_envelope(driver: SlackDriver, app: StubApp) -> None:
    driver.event({"type": "app_home_opened", "user": "U0JONAH01", "tab": "home"})
    envelope = json.loads(app.last.body)
    assert app.last.headers["Content-Type"] == "application/json"
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["event"]["event_ts"]
    assert envelope["authorizations"][0]["user_id"] == "U0MENTORBOT"
    assert (envelope["team_id"], envelope["api_app_id"]) == ("T0EMULATOR", "A0MENTORBOT")
    driver.event({"type": "app_uninstalled"}, event_id="Ev0SAME", retry_num=2)
    assert json.loads(app.last.body)["event_id"] == "Ev0SAME"
    assert app.last.headers["X-Slack-Retry-Num"] == "2"
    driver.url_verification("abc123")
    assert json.loads(app.last.body)["challenge"] == "abc123"


def test_post_raw_never_raises(driver: SlackDriver, app: StubApp) -> None:
    app.answer = lambda _: (401, b"invalid signature", "text/plain")
    reply = driver.post(b"hello", {"X-Slack-Signature": "v0=bad"})
    assert (reply.status, reply.text, reply.json()) == (401, "invalid signature", None)
    app.answer = lambda _: (500, b'{"error": "boom"}', "application/json")
    assert driver.post(b"", {}).json() == {"error": "boom"}
    with pytest.raises(ValueError, match="http"):
        SlackDriver("file:///etc/passwd", SECRET, driver.emulator)
