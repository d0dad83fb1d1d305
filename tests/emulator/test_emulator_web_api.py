"""The emulator answers the real slack_sdk WebClient the way Slack does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.emulator import SlackEmulator
from bot.emulator.server import DEFAULT_TOKEN, seed_users
from bot.emulator.state import user_object

BUTTON = {
    "type": "actions",
    "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Accept"}, "value": "1"}
    ],
}


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        yield emu


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(base_url=emulator.api_url, token=DEFAULT_TOKEN)


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return str(info.value.response["error"])


def modal(title: str = "Find a mentor", **extra: Any) -> dict[str, Any]:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [section],
        **extra,
    }


def test_auth(emulator: SlackEmulator, client: WebClient) -> None:
    assert client.auth_test()["user_id"] == "U0MENTORBOT"
    assert error_of(WebClient(base_url=emulator.api_url).auth_test) == "not_authed"
    assert (
        error_of(WebClient(base_url=emulator.api_url, token="xoxb-nope").auth_test)
        == "invalid_auth"
    )
    assert error_of(lambda: client.api_call("chat.nonsense")) == "unknown_method"
    failed = emulator.calls(include_failed=True)
    assert [(c.method, c.error) for c in failed if not c.ok] == [
        ("auth.test", "not_authed"),
        ("auth.test", "invalid_auth"),
        ("chat.nonsense", "unknown_method"),
    ]
    assert [c.method for c in emulator.calls()] == ["auth.test"]
    assert "token" not in failed[0].params


def test_form_encoded_blocks_are_parsed(emulator: SlackEmulator, client: WebClient) -> None:
    client.api_call(
        "chat.postMessage",
        params={"channel": "U0JONAH01", "text": "hi", "blocks": json.dumps([BUTTON])},
    )
    (message,) = emulator.messages("D0JONAH01")
    assert message["blocks"][0]["elements"][0]["value"] == "1"


def test_post_update_history(emulator: SlackEmulator, client: WebClient) -> None:
    metadata = {"event_type": "request_created", "event_payload": {"request_id": 7}}
    first = client.chat_postMessage(channel="U0JONAH01", text="one", metadata=metadata)
    second = client.chat_postMessage(channel=first["channel"], text="two", blocks=[BUTTON])
    assert first["channel"] == emulator.dm_channel("U0JONAH01") == "D0JONAH01"
    assert float(second["ts"]) > float(first["ts"])
    stored = second["message"]["blocks"][0]
    assert stored["block_id"]
    assert stored["elements"][0]["action_id"]

    client.chat_update(channel="D0JONAH01", ts=first["ts"], text="one, edited")
    plain = client.conversations_history(channel="D0JONAH01")["messages"]
    assert [m["text"] for m in plain] == ["two", "one, edited"]
    assert "metadata" not in plain[1]
    full = client.conversations_history(channel="D0JONAH01", include_all_metadata=True)["messages"]
    assert full[1]["metadata"] == metadata

    assert (
        error_of(lambda: client.chat_update(channel="D0JONAH01", ts="1.2", text="x"))
        == "message_not_found"
    )
    assert (
        error_of(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    )
    assert (
        error_of(lambda: client.api_call("chat.postMessage", json={"channel": "D0JONAH01"}))
        == "no_text"
    )
    client.reactions_add(channel="D0JONAH01", timestamp=first["ts"], name="tada")
    assert error_of(
        lambda: client.reactions_add(channel="D0JONAH01", timestamp=first["ts"], name="tada")
    ) == ("already_reacted")
    client.chat_delete(channel="D0JONAH01", ts=second["ts"])
    assert [m["text"] for m in emulator.messages("D0JONAH01")] == ["one, edited"]
    kinds = [(s.users, s.kind) for s in emulator.seen()]
    assert kinds == [
        (("U0JONAH01",), "message"),
        (("U0JONAH01",), "message"),
        (("U0JONAH01",), "update"),
        (("U0JONAH01",), "update"),
    ]


def test_threads_and_channel_recipients(emulator: SlackEmulator, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="#mentoring-coordinators", text="New request")
    client.chat_postMessage(channel="C0COORD", text="reply", thread_ts=parent["ts"])
    assert [m["text"] for m in client.conversations_history(channel="C0COORD")["messages"]] == [
        "New request"
    ]
    replies = client.conversations_replies(channel="C0COORD", ts=parent["ts"])["messages"]
    assert [m["text"] for m in replies] == ["New request", "reply"]
    assert emulator.seen()[0].users == ("U0MARCUS01",)  # the seed's coordinator
    members = client.conversations_members(channel="C0COORD")["members"]
    assert members == ["U0MARCUS01", "U0MENTORBOT"]


def test_conversations_open_is_deterministic(client: WebClient) -> None:
    first = client.conversations_open(users="U0JONAH01")
    assert first["channel"] == {"id": "D0JONAH01"}
    again = client.conversations_open(users="U0JONAH01", return_im=True)
    assert again["already_open"] is True
    assert again["channel"]["is_im"] is True
    assert again["channel"]["user"] == "U0JONAH01"
    group = client.conversations_open(users="U0JONAH01,U0DOROTHEA01")["channel"]["id"]
    assert group.startswith("G")
    assert client.conversations_open(users="U0DOROTHEA01,U0JONAH01")["channel"]["id"] == group
    info = client.conversations_info(channel=group)["channel"]
    assert info["is_mpim"] is True
    assert error_of(lambda: client.conversations_open(users="U0GHOST")) == "user_not_found"


def test_ephemeral(emulator: SlackEmulator, client: WebClient) -> None:
    sent = client.chat_postEphemeral(channel="C0COORD", user="U0MARCUS01", text="only you")
    assert sent["message_ts"]
    assert [m["text"] for m in emulator.ephemerals("U0MARCUS01")] == ["only you"]
    assert emulator.messages("C0COORD") == []
    assert error_of(
        lambda: client.chat_postEphemeral(channel="C0COORD", user="U0JONAH01", text="x")
    ) == ("user_not_in_channel")


def test_users_info_time_zones(client: WebClient) -> None:
    user = client.users_info(user="U0HANA01")["user"]
    expected = datetime.now(ZoneInfo("Australia/Sydney")).utcoffset()
    assert expected is not None
    assert user["tz"] == "Australia/Sydney"
    assert user["tz_offset"] == int(expected.total_seconds())
    assert user["profile"]["email"] == "hana.kobayashi@example.com"
    assert client.users_info(user="U0WREN01")["user"]["tz"] is None
    assert error_of(lambda: client.users_info(user="U0GHOST")) == "user_not_found"
    everyone = client.users_list()["members"]
    assert {"U0MENTORBOT", "USLACKBOT", "U0AMARA01"} <= {u["id"] for u in everyone}


def test_tz_offset_follows_daylight_saving() -> None:
    rows = {row["id"]: row for row in seed_users()}
    winter = datetime(2025, 1, 15, 12, tzinfo=UTC)
    summer = datetime(2025, 7, 15, 12, tzinfo=UTC)
    new_york = [user_object(rows["U0AMARA01"], "T", when)["tz_offset"] for when in (winter, summer)]
    sydney = [user_object(rows["U0HANA01"], "T", when)["tz_offset"] for when in (winter, summer)]
    assert new_york == [-5 * 3600, -4 * 3600]
    assert sydney == [11 * 3600, 10 * 3600]
    assert user_object(rows["U0AMARA01"], "T", summer)["tz_label"] == "Eastern Daylight Time"


def test_seed_company_shape() -> None:
    rows = seed_users()
    assert 12 <= len(rows) <= 16
    assert len({r["tz"] for r in rows if r["tz"]}) >= 4
    assert any(r["tz"] is None for r in rows)
    assert sum(r["coordinator"] for r in rows) == 1
    ids = {r["id"] for r in rows}
    assert all(r["manager"] in ids for r in rows if r["manager"])


def test_views_open_needs_a_fresh_trigger() -> None:
    with SlackEmulator(trigger_ttl=0.05) as emu:
        short = WebClient(base_url=emu.api_url, token=DEFAULT_TOKEN)
        trigger = emu.issue_trigger("U0JONAH01")
        time.sleep(0.1)
        assert (
            error_of(lambda: short.views_open(trigger_id=trigger, view=modal()))
            == "expired_trigger_id"
        )


def test_views_open_update_push(emulator: SlackEmulator, client: WebClient) -> None:
    trigger = emulator.issue_trigger("U0JONAH01")
    assert (
        error_of(lambda: client.views_open(trigger_id="1.2.3", view=modal()))
        == "invalid_trigger_id"
    )
    opened = client.views_open(trigger_id=trigger, view=modal(external_id="req-1"))["view"]
    assert opened["id"].startswith("V")
    assert opened["state"] == {"values": {}}
    assert (
        error_of(lambda: client.views_open(trigger_id=trigger, view=modal()))
        == "expired_trigger_id"
    )
    assert emulator.view_owner(opened["id"]) == "U0JONAH01"

    stale = opened["hash"]
    updated = client.views_update(view_id=opened["id"], hash=stale, view=modal("Step 2"))["view"]
    assert updated["hash"] != stale
    assert error_of(
        lambda: client.views_update(view_id=opened["id"], hash=stale, view=modal())
    ) == ("hash_conflict")
    by_external = client.views_update(external_id="req-1", view=modal("Step 3"))["view"]
    assert by_external["id"] == opened["id"]
    assert error_of(lambda: client.views_update(view_id="VNOPE", view=modal())) == "not_found"

    for _ in range(2):
        client.views_push(trigger_id=emulator.issue_trigger("U0JONAH01"), view=modal("Pushed"))
    push = lambda: client.views_push(trigger_id=emulator.issue_trigger("U0JONAH01"), view=modal())  # noqa: E731
    assert error_of(push) == "push_limit_reached"
    stack = emulator.open_views("U0JONAH01")
    assert [v["title"]["text"] for v in stack] == ["Step 3", "Pushed", "Pushed"]
    assert stack[2]["root_view_id"] == opened["id"]
    assert stack[2]["previous_view_id"] == stack[1]["id"]
    assert [s.kind for s in emulator.seen("U0JONAH01")] == ["modal"] * 5
    assert "┌ Step 2" in emulator.seen("U0JONAH01")[1].text


def test_invalid_view_is_rejected_before_the_trigger_is_spent(
    emulator: SlackEmulator, client: WebClient
) -> None:
    trigger = emulator.issue_trigger("U0JONAH01")
    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id=trigger, view=modal("x" * 25))
    assert info.value.response["error"] == "invalid_arguments"
    assert info.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]


def test_views_publish(emulator: SlackEmulator, client: WebClient) -> None:
    home: dict[str, Any] = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}],
    }
    first = client.views_publish(user_id="U0JONAH01", view=home)["view"]
    home["blocks"][0]["text"]["text"] = "Welcome back"
    second = client.views_publish(user_id="U0JONAH01", view=home, hash=first["hash"])["view"]
    assert second["id"] == first["id"]
    current = emulator.home("U0JONAH01")
    assert current is not None
    assert current["blocks"][0]["text"]["text"] == "Welcome back"
    assert error_of(
        lambda: client.views_publish(user_id="U0JONAH01", view=home, hash=first["hash"])
    ) == ("hash_conflict")
    assert (
        error_of(lambda: client.views_publish(user_id="U0JONAH01", view=modal()))
        == "invalid_arguments"
    )
    assert emulator.seen("U0JONAH01")[-1].kind == "home"
    assert emulator.home("U0INES01") is None


def test_file_upload_v2(emulator: SlackEmulator, client: WebClient) -> None:
    result = client.files_upload_v2(
        channel="C0COORD",
        content=b"name,status\nJonah,matched\n",
        filename="report.csv",
        title="Monthly report",
        initial_comment="This month's matches",
    )
    assert result["file"]["title"] == "Monthly report"
    (stored,) = emulator.files()
    assert stored["content"] == b"name,status\nJonah,matched\n"
    assert stored["channel"] == "C0COORD"
    (message,) = emulator.messages("C0COORD")
    assert message["files"][0]["id"] == stored["id"]
    seen = emulator.seen()[-1]
    assert (seen.kind, seen.users) == ("file", ("U0MARCUS01",))
    assert "Monthly report (report.csv, 26 bytes)" in seen.text


@pytest.mark.parametrize(
    ("kwargs", "error", "pointer"),
    [
        ({"text": "x" * 40_001}, "msg_too_long", None),
        ({"text": "x", "blocks": [BUTTON] * 51}, "invalid_blocks", "/blocks"),
        (
            {
                "text": "x",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}],
            },
            "invalid_blocks",
            "/blocks/0/text/text",
        ),
        (
            {
                "text": "x",
                "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            },
            "invalid_blocks",
            "/blocks/0/text/text",
        ),
        ({"text": "x", "blocks": [{"type": "bogus"}]}, "invalid_blocks", "/blocks/0/type"),
    ],
)
def test_message_limits_over_http(
    emulator: SlackEmulator,
    client: WebClient,
    kwargs: dict[str, Any],
    error: str,
    pointer: str | None,
) -> None:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C0COORD", **kwargs)
    assert info.value.response["error"] == error
    if pointer:
        (line,) = info.value.response["response_metadata"]["messages"]
        assert line.startswith("[ERROR] ")
        assert line.endswith(f"[json-pointer:{pointer}]")
    assert emulator.messages("C0COORD") == []
    assert emulator.calls("chat.postMessage") == []
    assert emulator.calls("chat.postMessage", include_failed=True)[0].error == error


def test_response_url(emulator: SlackEmulator, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0COORD", text="Request from Jonah", blocks=[BUTTON])
    url = emulator.response_url("U0MARCUS01", "C0COORD", posted["ts"])
    hook = WebhookClient(url)
    assert hook.send(text="Only you see this").status_code == 200
    assert emulator.ephemerals("U0MARCUS01")[-1]["text"] == "Only you see this"
    assert hook.send(text="Taken by Marcus", replace_original=True).status_code == 200
    assert emulator.messages("C0COORD")[0]["text"] == "Taken by Marcus"
    assert hook.send(text="Everyone sees this", response_type="in_channel").status_code == 200
    assert emulator.messages("C0COORD")[-1]["text"] == "Everyone sees this"
    bad = hook.send(
        text="x", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}]
    )
    assert bad.status_code == 400
    assert "invalid_blocks" in bad.body
    assert [s.kind for s in emulator.seen()][-3:] == ["response", "update", "response"]
    assert [c.ok for c in emulator.calls("response_url", include_failed=True)] == [
        True,
        True,
        True,
        False,
    ]
    for _ in range(2):
        hook.send(text="more")
    assert hook.send(text="sixth").status_code == 404  # a response_url works five times
    assert WebhookClient(f"{emulator.base_url}/response/unknown").send(text="x").status_code == 404


def test_oauth_install_adds_a_workspace(emulator: SlackEmulator) -> None:
    emulator.register_oauth_app("cid", "csecret")
    people = [{"id": "U9ALEX", "name": "alex", "real_name": "Alex Other", "tz": "Europe/Paris"}]
    code = emulator.issue_oauth_code("T9OTHER", people)
    anonymous = WebClient(base_url=emulator.api_url)
    assert error_of(
        lambda: anonymous.oauth_v2_access(client_id="cid", client_secret="bad", code=code)
    ) == ("bad_client_secret")
    installed = anonymous.oauth_v2_access(client_id="cid", client_secret="csecret", code=code)
    assert installed["team"]["id"] == "T9OTHER"
    assert installed["authed_user"]["id"] == "U9ALEX"
    other = WebClient(base_url=emulator.api_url, token=installed["access_token"])
    assert other.auth_test()["team_id"] == "T9OTHER"
    assert other.users_info(user="U9ALEX")["user"]["team_id"] == "T9OTHER"
    assert error_of(lambda: other.users_info(user="U0JONAH01")) == "user_not_found"
    assert error_of(
        lambda: anonymous.oauth_v2_access(client_id="cid", client_secret="csecret", code=code)
    ) == ("invalid_code")


def test_team_info(client: WebClient) -> None:
    team = client.team_info()["team"]
    assert (team["id"], team["domain"]) == ("T0EMULATOR", "larkspur")


def test_inline_errors_stay_on_a_view_until_it_changes() -> None:
    with SlackEmulator() as emulator:
        client = WebClient(token="xoxb-emulator-token", base_url=emulator.api_url)
        trigger = emulator.issue_trigger("U0KOFI01")
        view = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Form"},
            "submit": {"type": "plain_text", "text": "Save"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "name",
                    "label": {"type": "plain_text", "text": "Name"},
                    "element": {"type": "plain_text_input", "action_id": "name"},
                }
            ],
        }
        view_id = client.views_open(trigger_id=trigger, view=view)["view"]["id"]
        assert emulator.view_errors(view_id) == {}
        emulator.apply_view_response(
            view_id, {"response_action": "errors", "errors": {"name": "Too long"}}
        )
        assert emulator.view_errors(view_id) == {"name": "Too long"}
        assert [v["id"] for v in emulator.open_views("U0KOFI01")] == [view_id]
        emulator.apply_view_response(view_id, {"response_action": "update", "view": view})
        assert emulator.view_errors(view_id) == {}


def test_an_update_during_a_submission_lands_after_its_answer() -> None:
    """Slack applies the app's answer to a view_submission before a later views.update of the
    same view: a fast follow-up must not be overwritten by the answer it followed."""
    with SlackEmulator() as emulator:
        client = WebClient(token="xoxb-emulator-token", base_url=emulator.api_url)
        trigger = emulator.issue_trigger("U0KOFI01")
        form = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Form"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "form"}}],
        }
        view_id = client.views_open(trigger_id=trigger, view=form)["view"]["id"]
        answer = {**form, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "A"}}]}
        later = {**form, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "B"}}]}
        emulator.begin_submission(view_id)
        updated = threading.Thread(target=lambda: client.views_update(view_id=view_id, view=later))
        updated.start()
        updated.join(0.3)
        assert updated.is_alive()  # held while the submission is being answered
        emulator.apply_view_response(view_id, {"response_action": "update", "view": answer})
        emulator.end_submission(view_id)
        updated.join(5)
        assert not updated.is_alive()
        assert emulator.view(view_id)["blocks"][0]["text"]["text"] == "B"
