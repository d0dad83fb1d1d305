"""Pure Block Kit builders. Each returns plain dicts produced by slack_sdk's models, whose
`to_dict()` checks Slack's length limits, so a builder cannot emit an oversized block."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

import prompts
from bot.text import shorten

SECTION_TEXT_LIMIT = 3000
HEADER_LIMIT = 150

BlockDicts = list[dict[str, Any]]


def render(blocks: list[Block]) -> BlockDicts:
    return [block.to_dict() for block in blocks]


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=shorten(text, HEADER_LIMIT)))


def section(mrkdwn: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=shorten(mrkdwn, SECTION_TEXT_LIMIT)))


def context(mrkdwn: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=shorten(mrkdwn, SECTION_TEXT_LIMIT))])


def divider() -> DividerBlock:
    return DividerBlock()


def help_message() -> BlockDicts:
    return render([section(prompts.render("help"))])


def notice(mrkdwn: str) -> BlockDicts:
    """A one-section message: the shape of every short ephemeral answer."""
    return render([section(mrkdwn)])
