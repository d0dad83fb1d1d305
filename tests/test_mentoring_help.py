"""`/mentoring`, `/mentoring help` and unknown subcommands, through the real endpoint."""

from __future__ import annotations

import pytest

from tests.support import eventually


def _text(response) -> str:
    payload = response.as_message()
    parts = [payload.get("text", "")]
    for block in payload.get("blocks", []):
        parts.append(block.get("text", {}).get("text", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_help_is_ephemeral_and_lists_the_commands(driver, text):
    response = driver.command("U0AMARA01", "/mentoring", text)
    assert response.status == 200
    payload = response.as_message()
    assert payload.get("response_type", "ephemeral") == "ephemeral"
    shown = _text(response)
    for command in ("/mentor", "/coach", "/mentoring help"):
        assert command in shown


def test_unknown_subcommand_names_it_and_points_to_help(driver):
    response = driver.command("U0AMARA01", "/mentoring", "frobnicate now")
    shown = _text(response)
    assert "I don't know `frobnicate`" in shown
    assert "/mentoring help" in shown


def test_unknown_subcommand_cannot_ping_anyone(driver):
    response = driver.command("U0AMARA01", "/mentoring", "<!channel> hi")
    shown = _text(response)
    assert "<!channel>" not in shown
    assert "&lt;!channel&gt;" in shown


def test_home_tab_is_published_on_open(driver, emulator):
    response = driver.event(
        {
            "type": "app_home_opened",
            "user": "U0AMARA01",
            "tab": "home",
            "channel": "D0AMARA01",
            "event_ts": "1.2",
        }
    )
    assert response.status == 200
    home = eventually(lambda: emulator.home("U0AMARA01"))
    texts = " ".join(b.get("text", {}).get("text", "") for b in home["blocks"])
    assert "Hi Amara!" in texts
    buttons = [
        e["text"]["text"] for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert "Find a mentor" in buttons


def test_a_retried_event_is_handled_once(driver, emulator):
    event = {
        "type": "app_home_opened",
        "user": "U0AMARA01",
        "tab": "home",
        "channel": "D0AMARA01",
        "event_ts": "1.2",
    }
    first = driver.event(event, event_id="Ev0RETRY1")
    eventually(lambda: emulator.home("U0AMARA01"))
    retry = driver.event(event, event_id="Ev0RETRY1", retry_num=1)
    assert first.status == retry.status == 200
    import time

    time.sleep(0.3)
    assert len(emulator.calls("views.publish")) == 1
