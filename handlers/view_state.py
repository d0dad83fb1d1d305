"""Reading submitted modal values out of Slack's `view.state.values`."""

from __future__ import annotations

import json
from typing import Any


def _element(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = values.get(block_id) or {}
    if not isinstance(block, dict) or not block:
        return {}
    element = block.get(block_id) or next(iter(block.values()))
    return element if isinstance(element, dict) else {}


def text(values: dict[str, Any], block_id: str) -> str | None:
    value = _element(values, block_id).get("value")
    return value if isinstance(value, str) else None


def choice(values: dict[str, Any], block_id: str) -> str | None:
    option = _element(values, block_id).get("selected_option")
    if isinstance(option, dict) and isinstance(option.get("value"), str):
        return str(option["value"])
    return None


def choices(values: dict[str, Any], block_id: str) -> list[str]:
    options = _element(values, block_id).get("selected_options") or []
    return [str(o["value"]) for o in options if isinstance(o, dict) and "value" in o]


def user(values: dict[str, Any], block_id: str) -> str | None:
    selected = _element(values, block_id).get("selected_user")
    return selected if isinstance(selected, str) else None


def users(values: dict[str, Any], block_id: str) -> list[str]:
    selected = _element(values, block_id).get("selected_users") or []
    return [str(user) for user in selected if isinstance(user, str)]


def date(values: dict[str, Any], block_id: str) -> str | None:
    selected = _element(values, block_id).get("selected_date")
    return selected if isinstance(selected, str) else None


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The modal's private_metadata as a dict ({} when missing or not ours)."""
    try:
        loaded = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def number(raw: Any) -> int | None:
    """An id carried in a button value or metadata; None unless it is a positive integer."""
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if value > 0 else None
