"""Making user-typed text safe to show in Slack."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as markup, so typed text such as `<!channel>`
    or `<@U123>` is shown literally and can never ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_input(text: str) -> str:
    """Drop control characters (NUL included, which PostgreSQL text cannot hold) and trim.
    Text made only of spaces and invisible format marks (zero-width, direction) counts as empty."""
    cleaned = _CONTROL.sub("", text).strip()
    if all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in cleaned):
        return ""
    return cleaned


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters on a word boundary, marking the cut with …"""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
