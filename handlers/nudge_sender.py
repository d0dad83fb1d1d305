"""The NudgeSender port over Slack: post with the nudge id in message metadata, and look for
that id in the conversation before a retry, so a message is never posted twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.ports import Delivered, NudgeMessage, SendFailed
from handlers import nudge_blocks

log = logging.getLogger("mentorbot.nudges")

EVENT_TYPE = "mentorbot_nudge"
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "service_unavailable", "internal_error", "fatal_error", "request_timeout"}
)


class SlackNudgeSender:
    def __init__(self, client: WebClient) -> None:
        self._client = client
        # A person's DM channel never changes: open it once per sweep (conversations.open is
        # Tier 3), however many messages go to them.
        self._dms: dict[str, str] = {}

    def _channel(self, message: NudgeMessage) -> str:
        if message.channel:
            return message.channel
        user = message.slack_user_id
        assert user is not None
        if user not in self._dms:
            opened = self._call(lambda: self._client.conversations_open(users=user))
            self._dms[user] = str(opened["channel"]["id"])
        return self._dms[user]

    def already_sent(self, message: NudgeMessage) -> Delivered | None:
        channel = self._channel(message)
        history = self._call(
            lambda: self._client.conversations_history(
                channel=channel, include_all_metadata=True, limit=200
            )
        )
        earlier: list[dict[str, Any]] = history.get("messages", [])
        for found in earlier:
            metadata = found.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == EVENT_TYPE and str(payload.get("nudge_id")) == str(
                message.nudge_id
            ):
                return Delivered(channel=channel, ts=str(found["ts"]))
        return None

    def send(self, message: NudgeMessage) -> Delivered:
        channel = self._channel(message)
        text, blocks = nudge_blocks.render_nudge(message)
        posted: SlackResponse = self._call(
            lambda: self._client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                metadata={
                    "event_type": EVENT_TYPE,
                    "event_payload": {"nudge_id": message.nudge_id, "kind": message.kind},
                },
            )
        )
        return Delivered(channel=str(posted["channel"]), ts=str(posted["ts"]))

    def _call(self, request: Callable[[], SlackResponse]) -> SlackResponse:
        try:
            return request()
        except SlackApiError as error:
            status = error.response.status_code
            code = str(error.response.get("error") or status)
            transient = status == 429 or status >= 500 or code in TRANSIENT_ERRORS
            raise SendFailed(code, transient=transient) from None
        except OSError as error:
            raise SendFailed(type(error).__name__, transient=True) from None
