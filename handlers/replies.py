"""Short answers only the person who clicked sees."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from handlers.blocks import BlockDicts
from handlers.nudge_blocks import MERGED_PREFIX


def whisper(respond: Respond, text: str) -> None:
    """An ephemeral reply beside the message that was clicked, leaving that message alone.
    `text` is shown as mrkdwn: escape anything a person typed before passing it."""
    respond(replace_original=False, response_type="ephemeral", text=text)


def settle(
    respond: Respond, action: dict[str, Any], text: str, blocks: BlockDicts | None = None
) -> None:
    """Answer a click on one of the clock's messages: replace that message with the outcome,
    unless the button sits in a digest of several (the nudge budget merged them), where the
    other items must stay clickable, so the answer goes beside it."""
    if str(action.get("block_id", "")).startswith(MERGED_PREFIX):
        respond(replace_original=False, response_type="ephemeral", text=text, blocks=blocks)
    else:
        respond(replace_original=True, text=text, blocks=blocks)
