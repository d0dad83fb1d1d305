"""The domain's Directory port, answered by Slack's users.info."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ports import Profile

log = logging.getLogger(__name__)


class SlackDirectory:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def profile(self, slack_user_id: str) -> Profile | None:
        try:
            response = self._client.users_info(user=slack_user_id)
        except SlackApiError as error:
            log.warning("users.info failed: %s", error.response.get("error"))
            return None
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name") or ""
        return Profile(
            slack_user_id=slack_user_id,
            display_name=str(name),
            tz=user.get("tz"),
            is_bot=bool(user.get("is_bot")),
            deleted=bool(user.get("deleted")),
        )
