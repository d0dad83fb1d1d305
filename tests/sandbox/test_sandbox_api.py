"""The sandbox's web server over HTTP, without a browser: the page and its files, what a person
sees, and what they do (commands, forms with inline errors, buttons), time travel and reset."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime, timedelta

from bot.cli.program import DOT, KOFI, MARCUS
from bot.cli.stage import COORDINATOR_CHANNEL
from bot.sandbox.web import LOOPBACK_NAMES, allowed_hosts
from handlers import ids
from tests.sandbox.conftest import RunningSandbox
from tests.sandbox.http import get, ok, post, state, state_when
from tests.support import eventually


def offer_values(capacity: str) -> dict[str, object]:
    return {
        ids.OFFER_ROLES: ["coach"],
        ids.OFFER_TOPICS: "SQL & <data> modelling",
        ids.OFFER_STYLE: "guide",
        ids.OFFER_FORMATS: ["one_to_one"],
        ids.OFFER_CAPACITY: capacity,
    }


def test_the_page_and_its_files_are_served(running_sandbox: RunningSandbox) -> None:
    base = running_sandbox.url
    status, kind, body = get(base, "/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert b'<script src="/static/sandbox.js"' in body
    for name, expected in (
        ("sandbox.js", "text/javascript"),
        ("sandbox.css", "text/css"),
        ("sandbox.png", "image/png"),
    ):
        status, kind, body = get(base, f"/static/{name}")
        assert status == 200 and kind.startswith(expected) and body, name
    for path in ("/static/../world.py", "/static/web.py", "/nowhere", "/api/files/F0NOPE"):
        assert get(base, path)[0] == 404, path


def test_state_of_a_fresh_workspace(running_sandbox: RunningSandbox) -> None:
    seen = state(running_sandbox.url, KOFI)
    assert seen["user"] == KOFI
    people = {p["id"]: p for p in seen["people"]}
    assert people[MARCUS]["tags"] == ["coordinator"]
    assert "manager" in people["U0PRIYA01"]["tags"]
    assert people[DOT]["tags"] == []
    assert [c["label"] for c in seen["conversations"]] == ["Mentorbot", "#kudos"]
    assert seen["modal"] is None and seen["home"] is None
    # Someone unknown (say, after a reset dropped them) sees the workspace as its first person.
    assert state(running_sandbox.url, "U0NOBODY")["user"] == seen["people"][0]["id"]


def test_posts_must_be_json_from_a_person(running_sandbox: RunningSandbox) -> None:
    base = running_sandbox.url
    status, answer = post(base, "/api/reset", "x=1", "application/x-www-form-urlencoded")
    assert status == 415 and answer["error"] == "Send JSON."
    status, answer = post(base, "/api/command", {"user": "U0NOBODY", "text": "/mentoring"})
    assert status == 400 and answer["error"] == "Pick someone from the list first."
    status, answer = post(base, "/api/command", {"user": KOFI, "text": "hello"})
    assert status == 400 and "slash commands" in answer["error"]
    status, answer = post(base, "/api/command", {"user": KOFI, "text": "/giphy cats"})
    assert status == 400 and answer["error"].startswith("/giphy is not a command here")
    status, answer = post(base, "/api/time", {"days": 3})
    assert status == 400 and answer["error"] == "Travel a day or a week at a time."


def test_a_command_answers_in_the_conversation_it_was_typed_in(
    running_sandbox: RunningSandbox,
) -> None:
    base = running_sandbox.url
    ok(
        base,
        "/api/command",
        {"user": MARCUS, "text": "/mentoring status", "conversation": COORDINATOR_CHANNEL},
    )
    seen = state_when(
        base, MARCUS, lambda s: "Program status" in str(s["messages"]), COORDINATOR_CHANNEL
    )
    assert seen["conversation"] == COORDINATOR_CHANNEL
    assert "Program status" in str(seen["messages"][-1]["blocks"])
    # Kofi is not in the coordinators' channel: he cannot type there, nor see it.
    status, answer = post(
        base,
        "/api/command",
        {"user": KOFI, "text": "/mentoring status", "conversation": COORDINATOR_CHANNEL},
    )
    assert status == 400 and answer["error"] == "That person is not in that conversation."
    assert state(base, KOFI, COORDINATOR_CHANNEL)["messages"] == []


def test_a_form_with_an_inline_error_then_accepted(running_sandbox: RunningSandbox) -> None:
    base = running_sandbox.url
    ok(base, "/api/command", {"user": DOT, "text": "/mentoring offer"})
    modal = state_when(base, DOT, lambda s: s["modal"])["modal"]
    view_id = modal["view"]["id"]
    assert modal["view"]["title"]["text"] == "Volunteer" and modal["errors"] == {}

    # Someone else cannot fill in Dot's form.
    status, answer = post(base, "/api/submit", {"user": KOFI, "view_id": view_id, "values": {}})
    assert status == 400 and answer["error"] == "That form belongs to someone else, or is gone."
    status, answer = post(
        base, "/api/submit", {"user": DOT, "view_id": view_id, "values": {"nope": "x"}}
    )
    assert status == 400 and answer["error"].startswith("That form does not have such a field")
    status, answer = post(
        base,
        "/api/submit",
        {"user": DOT, "view_id": view_id, "values": {ids.OFFER_STYLE: "tyrant"}},
    )
    assert status == 400 and "no option with value 'tyrant'" in answer["error"]

    answer = ok(
        base, "/api/submit", {"user": DOT, "view_id": view_id, "values": offer_values("99")}
    )
    assert answer["errors"] == {ids.OFFER_CAPACITY: "Please enter a number of people from 1 to 10."}
    assert state(base, DOT)["modal"]["errors"] == answer["errors"]

    answer = ok(base, "/api/submit", {"user": DOT, "view_id": view_id, "values": offer_values("2")})
    assert answer["errors"] == {}
    seen = state_when(base, DOT, lambda s: s["modal"]["view"]["title"]["text"] == "Thank you")
    assert seen["modal"]["errors"] == {}
    assert next(p for p in seen["people"] if p["id"] == DOT)["tags"] == ["coach"]
    ok(base, "/api/close", {"user": DOT, "view_id": view_id})
    assert state(base, DOT)["modal"] is None
    status, answer = post(base, "/api/close", {"user": DOT, "view_id": view_id})
    assert status == 400 and answer["error"] == "That form was already closed."


def test_home_tab_and_a_button_on_it(running_sandbox: RunningSandbox) -> None:
    base = running_sandbox.url
    ok(base, "/api/home", {"user": KOFI})
    home = state_when(base, KOFI, lambda s: s["home"])["home"]
    assert "Hi Kofi!" in str(home["blocks"])
    ok(base, "/api/action", {"user": KOFI, "view_id": home["id"], "action_id": ids.HOME_ASK_COACH})
    assert state_when(base, KOFI, lambda s: s["modal"])["modal"]["view"]["title"]["text"] == (
        "Find a coach"
    )
    # A message button somebody else's conversation holds is out of reach.
    status, answer = post(
        base,
        "/api/action",
        {"user": KOFI, "action_id": "x", "conversation": "D0DOROTHEA01", "ts": "1.0"},
    )
    assert status == 400 and answer["error"] == "That person is not in that conversation."


def test_a_chart_file_is_shown_from_the_sandbox(running_sandbox: RunningSandbox) -> None:
    base = running_sandbox.url
    ok(
        base,
        "/api/command",
        {"user": MARCUS, "text": "/mentoring status chart", "conversation": COORDINATOR_CHANNEL},
    )

    def files() -> list[dict[str, object]]:
        messages = state(base, MARCUS, COORDINATOR_CHANNEL)["messages"]
        return [f for m in messages for f in m["files"]]

    shared = eventually(files, timeout=20)
    assert shared[0]["image"] is True
    assert str(shared[0]["name"]).endswith(".png")
    status, kind, body = get(base, f"/api/files/{shared[0]['id']}")
    assert (status, kind) == (200, "image/png") and body.startswith(b"\x89PNG")


def test_time_travel_moves_the_clock_and_labels_messages(running_sandbox: RunningSandbox) -> None:
    base = running_sandbox.url
    before = datetime.fromisoformat(state(base, KOFI)["now"])
    answer = ok(base, "/api/time", {"days": 1})
    assert answer["nudges"] == 0
    after = datetime.fromisoformat(state(base, KOFI)["now"])
    assert after - before == timedelta(days=1)
    ok(base, "/api/command", {"user": KOFI, "text": "/mentoring help"})
    dm = state_when(base, KOFI, lambda s: s["messages"], "D0KOFI01")
    assert dm["messages"][-1]["ephemeral"] is True
    assert dm["messages"][-1]["at"].startswith(f"{after:%a} {after.day} {after:%b %Y}")


def test_reset_starts_an_empty_workspace(running_sandbox: RunningSandbox) -> None:
    base = running_sandbox.url
    ok(base, "/api/command", {"user": DOT, "text": "/mentoring offer"})
    ok(base, "/api/time", {"days": 7})
    ok(base, "/api/reset", {})
    seen = state(base, DOT, "D0DOROTHEA01")
    assert seen["modal"] is None and seen["messages"] == []
    moved = datetime.fromisoformat(seen["now"])
    assert abs(moved - datetime.now(moved.tzinfo)) < timedelta(minutes=5)


def test_load_demo_data(running_sandbox: RunningSandbox) -> None:
    base = running_sandbox.url
    ok(base, "/api/demo", {})
    seen = state(base, MARCUS, COORDINATOR_CHANNEL)
    text = str([m["blocks"] or m["text"] for m in seen["messages"]])
    assert "approved the cohort" in text
    people = {p["id"]: p for p in seen["people"]}
    assert "coach" in people[DOT]["tags"] and "U0HIRE01" in people


def test_only_loopback_names_reach_the_sandbox(running_sandbox: RunningSandbox) -> None:
    """A web page that points its own name at 127.0.0.1 (DNS rebinding) is refused."""
    port = running_sandbox.url.rsplit(":", 1)[1]
    for host, expected in (
        (f"evil.example:{port}", 403),
        (f"localhost:{port}", 200),
        (f"127.0.0.1:{port}", 200),
    ):
        request = urllib.request.Request(running_sandbox.url + "/", headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                status = reply.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == expected, host
    assert allowed_hosts("0.0.0.0") is None
    assert allowed_hosts("127.0.0.2") == LOOPBACK_NAMES | {"127.0.0.2", "[127.0.0.2]"}
