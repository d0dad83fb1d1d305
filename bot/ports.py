"""The outside world as the domain sees it: small protocols that handlers/ implements with Slack
and tests implement with fakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Profile:
    slack_user_id: str
    display_name: str
    tz: str | None
    is_bot: bool = False
    deleted: bool = False


class Directory(Protocol):
    """Who a Slack user is: name and IANA time zone (Slack's users.info)."""

    def profile(self, slack_user_id: str) -> Profile | None: ...
