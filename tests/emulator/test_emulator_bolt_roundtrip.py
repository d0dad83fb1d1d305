"""A real Bolt app driven by SlackDriver and calling SlackEmulator: the shapes fit both ways."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from socketserver import ThreadingMixIn
from typing import Any, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.emulator import SlackDriver, SlackEmulator, input_values
from bot.emulator.server import DEFAULT_TOKEN

SECRET = "bolt-signing-secret"
T = TypeVar("T")


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def wait_for(probe: Callable[[], T], timeout: float = 3.0) -> T:
    """Listeners run after the ack, on Bolt's thread pool: poll for their effect."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.01)


def build_app(client: WebClient) -> App:
    app = App(signing_secret=SECRET, client=client)
    request_view = {
        "type": "modal",
        "callback_id": "request",
        "title": {"type": "plain_text", "text": "Find a mentor"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "goal",
                "label": {"type": "plain_text", "text": "Goal"},
                "element": {"type": "plain_text_input", "action_id": "goal_text"},
            }
        ],
    }

    @app.command("/mentor")
    def open_request(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack(text="Opening the request form…")
        client.views_open(trigger_id=body["trigger_id"], view=request_view)

    @app.view("request")
    def submit_request(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        goal = view["state"]["values"]["goal"]["goal_text"]["value"] or ""
        if len(goal) < 5:
            ack(response_action="errors", errors={"goal": "Say a bit more"})
            return
        ack()
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": "Accept"},
            "action_id": "accept",
        }
        client.chat_postMessage(
            channel=body["user"]["id"],
            text=f"Request: {goal}",
            blocks=[{"type": "actions", "elements": [button]}],
        )

    @app.action("accept")
    def accept(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Accepted", replace_original=True)

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome"}}]
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": blocks})

    return app


@pytest.fixture
def world() -> Iterator[tuple[SlackEmulator, SlackDriver]]:
    with SlackEmulator() as emulator:
        client = WebClient(base_url=emulator.api_url, token=DEFAULT_TOKEN)
        handler = SlackRequestHandler(build_app(client))
        server = make_server(
            "127.0.0.1", 0, handler, server_class=_Server, handler_class=_QuietHandler
        )
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
        thread.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
        try:
            yield emulator, SlackDriver(url, SECRET, emulator)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def test_command_modal_message_button_home(world: tuple[SlackEmulator, SlackDriver]) -> None:
    emulator, driver = world
    assert driver.command("U0JONAH01", "/mentor").status == 200
    (modal,) = wait_for(lambda: emulator.open_views("U0JONAH01"))
    # The ack and the modal race, in Slack too: the listener goes on after Bolt has answered.
    first_two = {(s.kind, s.text.splitlines()[0]) for s in emulator.seen("U0JONAH01")}
    assert first_two == {("ephemeral", "Opening the request form…"), ("modal", "┌ Find a mentor")}

    rejected = driver.submit_view(
        "U0JONAH01", modal["id"], input_values(modal, {"goal_text": "hm"})
    )
    assert rejected.json() == {"response_action": "errors", "errors": {"goal": "Say a bit more"}}
    assert emulator.open_views("U0JONAH01")

    accepted = driver.submit_view(
        "U0JONAH01", modal["id"], input_values(modal, {"goal_text": "Lead a team"})
    )
    assert accepted.status == 200
    assert emulator.open_views("U0JONAH01") == []
    (message,) = wait_for(lambda: emulator.messages("D0JONAH01"))
    assert message["text"] == "Request: Lead a team"

    assert driver.click("U0JONAH01", "accept", message=("D0JONAH01", message["ts"])).status == 200
    assert wait_for(lambda: emulator.messages("D0JONAH01")[0]["text"] == "Accepted")

    assert (
        driver.event({"type": "app_home_opened", "user": "U0JONAH01", "tab": "home"}).status == 200
    )
    home = wait_for(lambda: emulator.home("U0JONAH01"))
    assert home is not None
    assert [s.kind for s in emulator.seen("U0JONAH01")][2:] == [
        "message",
        "update",
        "home",
    ]


def test_bolt_rejects_what_slack_would_not_sign(world: tuple[SlackEmulator, SlackDriver]) -> None:
    _, driver = world
    body = b"command=%2Fmentor&user_id=U0JONAH01"
    assert driver.post(body, {"Content-Type": "application/x-www-form-urlencoded"}).status == 401
    stale = driver.sign(body, timestamp=int(time.time()) - 600)
    assert (
        driver.post(body, {"Content-Type": "application/x-www-form-urlencoded", **stale}).status
        == 401
    )
    wrong = SlackDriver(driver.app_url, "not-the-secret", driver.emulator)
    assert wrong.command("U0JONAH01", "/mentor").status == 401
