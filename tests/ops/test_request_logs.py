"""One log line per Slack request, with ids and timings only: never what a person typed."""

from __future__ import annotations

import logging
import time
import urllib.parse
import urllib.request

import pytest

from bot.cli.program import DOT, JONAH, TOMAS, actor, choose, request_values, volunteer
from handlers import ids

NEED = "zqx I freeze whenever my manager Gertrude asks about the reorg"
SUMMARY = "zqy Wants help with a difficult manager"
MARKERS = ("zqx", "zqy", "Gertrude", "reorg")
CORE = {"ts", "level", "logger", "message"}


def _requests(json_log):
    return [e for e in json_log.entries("mentorbot.web") if e["message"].startswith("slack ")]


def test_a_slash_command_is_one_info_line_with_team_type_status_latency(driver, json_log, caplog):
    caplog.set_level(logging.DEBUG)
    response = driver.command("U0AMARA01", "/mentoring", "help")
    assert response.status == 200
    [entry] = _requests(json_log)
    assert entry["level"] == "INFO"
    assert entry["team"] == "T0EMULATOR"
    assert entry["payload_type"] == "slash_command"
    assert entry["command"] == "/mentoring"
    assert entry["status"] == 200
    assert entry["outcome"] == "ok"
    assert isinstance(entry["latency_ms"], float)
    assert 0 <= entry["latency_ms"] < response.elapsed * 1000 + 1
    assert set(entry) == CORE | {
        "team",
        "payload_type",
        "command",
        "status",
        "latency_ms",
        "outcome",
    }
    [record] = [r for r in caplog.records if r.name == "mentorbot.web"]
    assert (record.levelno, record.team, record.status) == (logging.INFO, "T0EMULATOR", 200)


def test_events_interactions_and_views_name_what_they_were(driver, emulator, json_log):
    driver.event({"type": "app_home_opened", "user": "U0AMARA01", "tab": "home"})
    volunteer(actor(driver, emulator, DOT), roles=["mentor"], topics="Managing up, career")
    jonah = actor(driver, emulator, JONAH)
    view_id = jonah.open_modal("/mentor")
    jonah.submit(view_id, request_values(need="Career direction", manager=TOMAS))
    choose(jonah, view_id, "mentor")
    seen = {(e["payload_type"], e.get("command") or e.get("action")) for e in _requests(json_log)}
    assert ("event_callback", "app_home_opened") in seen
    assert ("slash_command", "/mentor") in seen
    assert ("slash_command", "/mentoring") in seen
    assert ("view_submission", ids.REQUEST_FORM) in seen
    assert ("block_actions", ids.REQUEST_CHOOSE_MENTOR) in seen
    assert all(e["team"] == "T0EMULATOR" and e["outcome"] == "ok" for e in _requests(json_log))


def test_what_a_person_types_never_reaches_the_log(driver, emulator, running_app, json_log):
    volunteer(actor(driver, emulator, DOT), roles=["mentor"], topics="Managing up, career")
    jonah = actor(driver, emulator, JONAH)
    view_id = jonah.open_modal("/mentor", NEED)
    assert NEED in str(emulator.view(view_id))  # the text did reach the app
    jonah.submit(view_id, request_values(need=NEED, manager=TOMAS, summary=SUMMARY))
    choose(jonah, view_id, "mentor")
    driver.command(JONAH, "/mentoring", f"frobnicate {NEED}")
    driver.command(JONAH, "/coach", NEED)
    time.sleep(0.3)  # work after the acks
    assert len(_requests(json_log)) >= 6
    for marker in MARKERS:
        assert marker not in json_log.text


@pytest.mark.parametrize("signature", ["v0=" + "0" * 64, ""])
def test_a_rejected_request_is_a_warning_without_anything_from_its_body(
    driver, running_app, json_log, signature
):
    body = urllib.parse.urlencode(
        {"command": "/mentor", "text": NEED, "team_id": "T0SPOOFED", "user_id": "U0X"}
    ).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": signature,
    }
    response = driver.post(body, headers)
    assert response.status == 401
    [entry] = _requests(json_log)
    assert entry["level"] == "WARNING"
    assert entry["outcome"] == "rejected"
    assert entry["status"] == 401
    assert set(entry) == CORE | {"status", "latency_ms", "outcome"}
    assert "T0SPOOFED" not in json_log.text
    assert "/mentor" not in json_log.text
    assert "zqx" not in json_log.text


def test_a_signed_malformed_request_is_rejected_with_a_400_line(driver, json_log):
    body = b"hello=world"
    response = driver.post(
        body, {"Content-Type": "application/x-www-form-urlencoded"} | driver.sign(body)
    )
    assert response.status == 400
    [entry] = _requests(json_log)
    assert (entry["level"], entry["outcome"], entry["status"]) == ("WARNING", "rejected", 400)


def test_health_checks_are_not_logged_at_info(running_app, json_log):
    with urllib.request.urlopen(running_app.url + "/healthz") as reply:
        assert reply.status == 200
    assert not [e for e in json_log.entries("mentorbot.web") if e["level"] != "DEBUG"]


def test_a_crash_inside_the_endpoint_is_one_error_line_and_a_500(
    driver, running_app, json_log, monkeypatch
):
    app = running_app.server.server.get_app()

    def explode(request):
        raise RuntimeError(f"boom {NEED}")

    monkeypatch.setattr(app.app, "dispatch", explode)
    response = driver.command("U0AMARA01", "/mentoring", "help")
    assert response.status == 500
    [entry] = _requests(json_log)
    assert (entry["level"], entry["outcome"], entry["status"]) == ("ERROR", "error", 500)
    assert entry["error"] == "RuntimeError"
    assert entry["command"] == "/mentoring"
    assert "zqx" not in json_log.text
