"""Parsing what people type after `/mentoring`."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Parsed:
    name: str
    args: str


def parse_subcommand(text: str) -> Parsed:
    """Split `/mentoring` text into a lower-case subcommand and the rest, as typed."""
    stripped = text.strip()
    if not stripped:
        return Parsed(name="", args="")
    head, _, rest = stripped.partition(" ")
    return Parsed(name=head.lower(), args=rest.strip())


_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def mentioned_users(text: str) -> list[str]:
    """User ids mentioned in command text (Slack escapes them as <@U123|name>), in order, once."""
    seen: list[str] = []
    for user in _MENTION.findall(text):
        if user not in seen:
            seen.append(user)
    return seen


def without_mentions(text: str) -> str:
    return " ".join(_MENTION.sub(" ", text).split())
