"""`SlackDriver`: plays the person in Slack by sending the app what Slack itself would send.

Each request is signed with the app's signing secret and shaped like Slack's: slash commands as
forms, interactions as a form field `payload=<json>`, events as a JSON envelope. Trigger ids and
response_urls are minted by the `SlackEmulator`, so whatever the app does next with them (open a
modal, answer a response_url) lands in the same emulated workspace.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from bot.emulator.server import SlackEmulator
from bot.emulator.state import APP_ID, JSON, new_id

VERIFICATION_TOKEN = "emulator-verification-token"  # noqa: S105 - a fixed test value
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
_TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
_ONE_OPTION = ("static_select", "external_select", "radio_buttons")
_MANY_OPTIONS = ("multi_static_select", "multi_external_select", "checkboxes")
# element type -> (state key, initial key) for elements whose state is a plain value
_PLAIN_STATE = {
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
_UNSET = object()


@dataclass(frozen=True)
class DriverResponse:
    """The app's HTTP answer; `elapsed` is how long it took (Slack gives up after 3 s)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0

    def json(self) -> Any:
        """The body as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def as_message(self) -> JSON | None:
        """The answer as the message Slack shows for it: a JSON object as is, any other non-empty
        body (Bolt answers a text-only `ack()` as text/plain) as its `text`; None if nothing."""
        if self.status != 200 or not self.body.strip():
            return None
        answer = self.json()
        return answer if isinstance(answer, dict) else {"text": self.text}


def find_action(blocks: Sequence[Mapping[str, Any]], action_id: str) -> tuple[str, JSON] | None:
    """The `(block_id, element)` holding `action_id` in a message's or view's blocks."""
    for block in blocks:
        elements = [block.get("accessory"), block.get("element")]
        if block.get("type") == "actions":
            elements += list(block.get("elements") or [])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    return None


def _options(element: Mapping[str, Any]) -> list[JSON]:
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found += group.get("options") or []
    return found


def option_for(element: Mapping[str, Any], value: object) -> JSON:
    """The option object whose value is `value` (external selects accept any value)."""
    if isinstance(value, dict):
        return value
    for option in _options(element):
        if option.get("value") == value:
            return option
    if str(element.get("type", "")).endswith("external_select"):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    raise ValueError(f"no option with value {value!r} in {element.get('action_id')!r}")


def _state(element: Mapping[str, Any], value: object) -> JSON:
    kind = str(element.get("type"))
    state: JSON = {"type": kind}
    unset = value is _UNSET
    if kind in _TEXT_INPUTS:
        raw = element.get("initial_value") if unset else value
        state["value"] = None if raw is None else str(raw)
    elif kind in _ONE_OPTION:
        state["selected_option"] = (
            element.get("initial_option") if unset else option_for(element, value)
        )
    elif kind in _MANY_OPTIONS:
        chosen = (element.get("initial_options") or []) if unset else cast(list[Any], value)
        state["selected_options"] = [option_for(element, v) for v in chosen]
    elif kind in _PLAIN_STATE:
        key, initial = _PLAIN_STATE[kind]
        state[key] = element.get(initial) if unset else value
    elif kind == "rich_text_input":
        text = "" if unset else str(value)
        section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
        state["rich_text_value"] = {"type": "rich_text", "elements": [section]}
    elif kind == "file_input":
        state["files"] = [] if unset else value
    elif not unset:
        state["value"] = value
    return state


def input_values(view: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, JSON]:
    """`view.state.values` as Slack builds it on submit: every input of the view with its initial
    value, overridden by `values` (action_id -> value, option value, or list of them)."""
    blocks = view.get("blocks") or []
    state: dict[str, JSON] = {}
    for block in blocks:
        element = block.get("element") if block.get("type") == "input" else None
        if isinstance(element, dict):
            block_state = state.setdefault(str(block.get("block_id")), {})
            block_state[str(element.get("action_id"))] = _state(element, _UNSET)
    for action_id, value in values.items():
        found = find_action(blocks, action_id)
        if found is None:
            raise KeyError(f"no element with action_id {action_id!r} in the view")
        state.setdefault(found[0], {})[action_id] = _state(found[1], value)
    return state


class SlackDriver:
    """Sends the app signed, Slack-shaped requests on behalf of the people in the emulator."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        emulator: SlackEmulator,
        team_id: str = "T0EMULATOR",
        *,
        timeout: float = 10.0,
    ) -> None:
        if urlsplit(app_url).scheme not in ("http", "https"):
            raise ValueError(f"app_url must be an http(s) URL, not {app_url!r}")
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.emulator = emulator
        self.team_id = team_id
        self.timeout = timeout

    # -- transport --------------------------------------------------------------------------
    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """Slack's request signature: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}`."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        base = b"v0:" + ts.encode() + b":" + body
        digest = hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}

    def post(self, body: bytes, headers: Mapping[str, str]) -> DriverResponse:
        """POST raw bytes with exactly these headers; 4xx/5xx come back as responses."""
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.app_url, data=body, headers=dict(headers), method="POST"
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                data = reply.read()
                return DriverResponse(
                    reply.status, data, dict(reply.headers.items()), time.monotonic() - started
                )
        except urllib.error.HTTPError as err:
            data = err.read()
            return DriverResponse(
                err.code, data, dict(err.headers.items()), time.monotonic() - started
            )

    def _send(self, body: bytes, content_type: str, retry_num: int | None) -> DriverResponse:
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, **self.sign(body)}
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num)})
            headers.update({"X-Slack-Retry-Reason": "http_timeout"})
        return self.post(body, headers)

    def _send_payload(self, payload: JSON) -> DriverResponse:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(body, "application/x-www-form-urlencoded", None)

    # -- who and where ----------------------------------------------------------------------
    def _user(self, user_id: str) -> JSON:
        row = self.emulator.user(user_id) or {}
        name = str(row.get("name", user_id))
        team_id = str(row.get("team_id", self.team_id))
        return {"id": user_id, "username": name, "name": name, "team_id": team_id}

    def _team(self) -> JSON:
        return {"id": self.team_id, "domain": self.emulator.team_domain(self.team_id)}

    def _interaction(self, kind: str, user_id: str) -> JSON:
        return {
            "type": kind,
            "user": self._user(user_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self.emulator.issue_trigger(user_id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # -- what people do ---------------------------------------------------------------------
    def command(
        self,
        user_id: str,
        command: str,
        text: str = "",
        channel_id: str | None = None,
        retry_num: int | None = None,
    ) -> DriverResponse:
        """Type a slash command; by default in the person's DM with the app."""
        channel = channel_id or self.emulator.dm_channel(user_id)
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.emulator.team_domain(self.team_id),
            "channel_id": channel,
            "channel_name": self.emulator.channel_name(channel),
            "user_id": user_id,
            "user_name": self._user(user_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.emulator.response_url(user_id, channel),
            "trigger_id": self.emulator.issue_trigger(user_id),
        }
        body = urlencode(fields).encode()
        reply = self._send(body, "application/x-www-form-urlencoded", retry_num)
        answer = reply.as_message()
        if answer is not None and (answer.get("text") or answer.get("blocks")):
            self.emulator.deliver_ack(user_id, channel, answer)
        return reply

    def click(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str | None = None,
        message: tuple[str, str] | None = None,
        view_id: str | None = None,
        selected_option: JSON | str | None = None,
        selected_date: str | None = None,
        selected_user: str | None = None,
        state: dict[str, JSON] | None = None,
    ) -> DriverResponse:
        """Use an interactive element in a message (`message=(channel, ts)`) or a modal or Home
        view (`view_id`). `state` is the modal's current input values (see `input_values`)."""
        if (message is None) == (view_id is None):
            raise ValueError("give exactly one of message=(channel, ts) or view_id")
        payload = self._interaction("block_actions", user_id)
        if message is not None:
            channel_id, ts = message
            stored = self.emulator.message(channel_id, ts)
            if stored is None:
                raise LookupError(f"no message {ts} in {channel_id}")
            blocks = stored.get("blocks") or []
            ephemeral = "ephemeral_user" in stored
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel_id, "name": self.emulator.channel_name(channel_id)}
            if not ephemeral:
                hidden = ("metadata", "channel", "ephemeral_user")
                payload["message"] = {k: v for k, v in stored.items() if k not in hidden}
            payload["state"] = {"values": state or {}}
            payload["response_url"] = self.emulator.response_url(user_id, channel_id, ts)
        else:
            view = self.emulator.view(str(view_id))
            if state is not None:
                view["state"] = {"values": state}
            blocks = view.get("blocks") or []
            payload["container"] = {"type": "view", "view_id": view_id}
            payload["view"] = view
        found = find_action(blocks, action_id)
        if found is None and block_id is None:
            raise LookupError(f"no element with action_id {action_id!r} there")
        element = found[1] if found else {}
        action: JSON = {
            "action_id": action_id,
            "block_id": block_id or (found[0] if found else ""),
            "type": element.get("type", "button"),
            "action_ts": f"{time.time():.6f}",
        }
        for key in ("text", "style"):
            if key in element:
                action[key] = element[key]
        if value is not None or "value" in element:
            action["value"] = value if value is not None else element["value"]
        if selected_option is not None:
            action["selected_option"] = option_for(element, selected_option)
        if selected_date is not None:
            action["selected_date"] = selected_date
        if selected_user is not None:
            action["selected_user"] = selected_user
        payload["actions"] = [action]
        return self._send_payload(payload)

    def submit_view(
        self, user_id: str, view_id: str, values: dict[str, JSON] | None = None
    ) -> DriverResponse:
        """Press Submit on a modal; `values` is `state.values` (build it with `input_values`).
        A `response_action` in the answer is applied to the emulator's views, as Slack does."""
        view = self.emulator.view(view_id)
        view["state"] = {"values": values if values is not None else input_values(view, {})}
        payload = self._interaction("view_submission", user_id)
        payload.update(view=view, response_urls=[])
        self.emulator.begin_submission(view_id)
        try:
            reply = self._send_payload(payload)
            if reply.status == 200:
                answer = reply.json()
                self.emulator.apply_view_response(
                    view_id, answer if isinstance(answer, dict) else None
                )
        finally:
            self.emulator.end_submission(view_id)
        return reply

    def close_view(self, user_id: str, view_id: str) -> DriverResponse | None:
        """Press Close/Cancel; the app hears `view_closed` only if the view asked to
        (`notify_on_close`), else None is returned."""
        view = self.emulator.view(view_id)
        self.emulator.close_view(view_id)
        if not view.get("notify_on_close"):
            return None
        payload = self._interaction("view_closed", user_id)
        del payload["trigger_id"]
        payload.update(view=view, is_cleared=False)
        return self._send_payload(payload)

    def event(
        self, event: JSON, *, event_id: str | None = None, retry_num: int | None = None
    ) -> DriverResponse:
        """Deliver an Events API event in its `event_callback` envelope."""
        inner = {**event}
        inner.setdefault("event_ts", f"{time.time():.6f}")
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or new_id("Ev", 9),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.emulator.bot_user_id(self.team_id),
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self._send(json.dumps(envelope).encode(), "application/json", retry_num)

    def url_verification(self, challenge: str) -> DriverResponse:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self._send(json.dumps(body).encode(), "application/json", None)
