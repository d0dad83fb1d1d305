"""Short answers only the person who clicked sees."""

from __future__ import annotations

from slack_bolt import Respond


def whisper(respond: Respond, text: str) -> None:
    """An ephemeral reply beside the message that was clicked, leaving that message alone.
    `text` is shown as mrkdwn: escape anything a person typed before passing it."""
    respond(replace_original=False, response_type="ephemeral", text=text)
