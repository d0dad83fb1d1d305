"""What a person types in the sandbox's message box, turned into the slash command Slack sends.

Slack escapes `&`, `<` and `>` in a command's text and, for commands with `should_escape`
(manifest.yml), turns `@someone` into `<@U123|someone>`; the app only ever sees that form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

COMMANDS = ("/mentor", "/coach", "/mentoring")
_MENTION = re.compile(r"(?<![\w@])@([\w.\-]+)")


class NotACommand(ValueError):
    """The text is not one of the app's slash commands; the message says what to type."""


@dataclass(frozen=True)
class SlashCommand:
    command: str
    text: str


def parse(typed: str, people: Iterable[Mapping[str, Any]]) -> SlashCommand:
    line = typed.strip()
    if not line.startswith("/"):
        raise NotACommand(
            "Mentorbot listens to slash commands: try /mentor, /coach or /mentoring help."
        )
    command, _, text = line.partition(" ")
    command = command.lower()
    if command not in COMMANDS:
        raise NotACommand(f"{command} is not a command here: try {', '.join(COMMANDS)}.")
    return SlashCommand(command, escape_mentions(text.strip(), people))


def escape_mentions(text: str, people: Iterable[Mapping[str, Any]]) -> str:
    """Slack's escaping of command text: `&<>` as entities, `@handle` as `<@ID|handle>` when a
    person's username, display name or first name matches (case-insensitive)."""
    known: dict[str, tuple[str, str]] = {}
    for row in people:
        user_id, handle = str(row.get("id", "")), str(row.get("name", ""))
        first = str(row.get("real_name", "")).split(" ")[0]
        for key in (str(row.get("display_name", "")), first, handle):
            if key:
                known.setdefault(key.lower(), (user_id, handle))
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def mention(match: re.Match[str]) -> str:
        word = match.group(1)
        found = known.get(word.lower()) or known.get(word.rstrip(".").lower())
        if found is None:
            return match.group(0)
        trailing = word[len(word.rstrip(".")) :] if word.lower() not in known else ""
        return f"<@{found[0]}|{found[1]}>{trailing}"

    return _MENTION.sub(mention, escaped)
