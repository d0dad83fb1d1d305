"""Making user-typed text safe to show in Slack."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as markup, so typed text such as `<!channel>`
    or `<@U123>` is shown literally and can never ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_input(text: str) -> str:
    """Drop control characters (NUL included, which PostgreSQL text cannot hold) and trim."""
    return _CONTROL.sub("", text).strip()


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters on a word boundary, marking the cut with …"""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
