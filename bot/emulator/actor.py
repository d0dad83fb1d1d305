"""A person in the emulated workspace: types commands, fills modals, clicks buttons.

The demo's scenes and the tests both act through this, so a scripted session reads like what
people do ("Jonah types /coach, fills the form, picks Dot"), and every step is a signed request
the app cannot tell from Slack's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from bot.emulator.driver import DriverResponse, SlackDriver, find_action, input_values
from bot.emulator.server import SlackEmulator

JSON = dict[str, Any]
T = TypeVar("T")
WAIT_SECONDS = 5.0


def wait_for(
    probe: Callable[[], T | None], *, timeout: float = WAIT_SECONDS, what: str = "the app"
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        time.sleep(0.02)


class Actor:
    def __init__(self, driver: SlackDriver, emulator: SlackEmulator, user_id: str) -> None:
        self.driver = driver
        self.emulator = emulator
        self.user_id = user_id

    @property
    def name(self) -> str:
        return self.emulator.user_name(self.user_id)

    def command(self, command: str, text: str = "") -> DriverResponse:
        return self.driver.command(self.user_id, command, text)

    def open_modal(self, command: str, text: str = "") -> str:
        """Run a command that opens a modal; returns the new modal's view id."""
        before = {view["id"] for view in self.emulator.views_for(self.user_id)}
        response = self.command(command, text)
        if response.status != 200:
            raise AssertionError(f"{command} answered {response.status}")
        return self.new_modal(before)

    def new_modal(self, before: set[str]) -> str:
        def opened() -> str | None:
            fresh = [v for v in self.emulator.open_views(self.user_id) if v["id"] not in before]
            return str(fresh[-1]["id"]) if fresh else None

        return wait_for(opened, what=f"a modal for {self.user_id}")

    def modal_ids(self) -> set[str]:
        return {view["id"] for view in self.emulator.views_for(self.user_id)}

    def submit(self, view_id: str, values: Mapping[str, Any]) -> DriverResponse:
        """Fill in a modal and press its submit button; what was typed joins the transcript."""
        view = self.emulator.view(view_id)
        text = answers_text(view, values, self.emulator.user_name)
        self.emulator.record_seen((self.user_id,), None, "reply", text)
        return self.driver.submit_view(self.user_id, view_id, input_values(view, values))

    def click_in_view(self, view_id: str, action_id: str, value: str | None = None) -> None:
        self.driver.click(self.user_id, action_id, value, view_id=view_id)

    def dm_channel(self) -> str:
        return self.emulator.dm_channel(self.user_id)

    def latest_message_with(self, action_id: str, *, channel: str | None = None) -> JSON:
        """Wait for a message in the person's DM (or `channel`) offering `action_id`."""
        where = channel or self.dm_channel()

        def found() -> JSON | None:
            for message in reversed(self.emulator.messages(where)):
                if find_action(message.get("blocks") or [], action_id):
                    return message
            return None

        return wait_for(found, what=f"a message with {action_id} in {where}")

    def click_in_message(
        self, action_id: str, *, channel: str | None = None, value: str | None = None
    ) -> DriverResponse:
        where = channel or self.dm_channel()
        message = self.latest_message_with(action_id, channel=where)
        return self.driver.click(self.user_id, action_id, value, message=(where, message["ts"]))


def answers_text(
    view: Mapping[str, Any], values: Mapping[str, Any], name_of: Callable[[str], str]
) -> str:
    """What a person put into a modal, as "Label: answer" lines, option values shown by label."""
    lines = []
    for block in view.get("blocks") or []:
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict) or element.get("action_id") not in values:
            continue
        raw = values[element["action_id"]]
        labels = {
            str(o.get("value")): str(o.get("text", {}).get("text", ""))
            for o in element.get("options") or []
        }
        answers = raw if isinstance(raw, list) else [raw]
        if str(element.get("type", "")) in ("users_select", "multi_users_select"):
            labels = {str(user): name_of(str(user)) for user in answers if user}
        shown = ", ".join(labels.get(str(a), str(a)) for a in answers if a not in (None, ""))
        label = str(block.get("label", {}).get("text", element["action_id"]))
        lines.append(f"{label.rstrip('?:')}: {shown or '(left empty)'}")
    return "\n".join(lines) or "(submitted)"
