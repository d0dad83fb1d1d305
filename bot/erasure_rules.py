"""The pure rules of erasure: what an erased person's Slack id becomes, and how agreement terms,
plan items, checkpoint titles and mentions are blanked (no database, tested on their own)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from bot import agreement_terms
from storage.models import Checkpoint, PlanItem

ANONYMOUS_PREFIX = "ERASED-"
TEXT_FIELDS = frozenset({"text", "long_text"})
KEPT_FIELDS = frozenset({"choice", "choices", "date"})
_SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_NUMBERED = re.compile(r"Checkpoint \d+")


def anonymous_token(team_id: str, user_id: str) -> str:
    """The stable stand-in for an erased person's Slack id: the same for the same person, so
    the people table's unique constraint still holds and a second erasure finds the first."""
    digest = hashlib.sha256(f"{team_id}:{user_id}".encode()).hexdigest()
    return f"{ANONYMOUS_PREFIX}{digest[:12]}"


def blank_terms(terms: Mapping[str, Any], *, user_id: str, token: str) -> dict[str, Any]:
    """Agreement terms with every free-text answer blanked; choices, dates and the structure
    stay, and the person's Slack id in a list of people (experts) becomes the token."""
    blanked: dict[str, Any] = {}
    for step_name, answers in terms.items():
        step = agreement_terms.STEP_BY_NAME.get(step_name)
        specs = {spec.name: spec.kind for spec in step.fields} if step else {}
        if isinstance(answers, Mapping):
            blanked[step_name] = {
                name: _blank_answer(specs.get(name), value, user_id=user_id, token=token)
                for name, value in answers.items()
            }
        else:
            blanked[step_name] = _blank_answer(None, answers, user_id=user_id, token=token)
    return blanked


def _blank_answer(kind: str | None, value: Any, *, user_id: str, token: str) -> Any:
    if kind in KEPT_FIELDS:
        return value
    if kind in TEXT_FIELDS:
        return "" if isinstance(value, str) else value
    if kind == "users" and isinstance(value, list):
        return [token if v == user_id else v for v in value]
    return _blank_unknown(value, user_id=user_id, token=token)


def _blank_unknown(value: Any, *, user_id: str, token: str) -> Any:
    """A field the terms spec does not describe: keep numbers and other people's Slack ids,
    blank any other text (it may be something someone typed)."""
    if isinstance(value, str):
        if value == user_id:
            return token
        return value if _SLACK_ID.fullmatch(value) else ""
    if isinstance(value, list):
        return [_blank_unknown(v, user_id=user_id, token=token) for v in value]
    if isinstance(value, Mapping):
        return {k: _blank_unknown(v, user_id=user_id, token=token) for k, v in value.items()}
    return value


def blank_plan_item(item: PlanItem, *, user_id: str, token: str) -> None:
    if item.item_type == "expert":
        item.title = token if item.title == user_id else item.title
        item.detail = ""
        return
    item.title = ""
    item.detail = ""


def anonymous_title(checkpoint: Checkpoint) -> str:
    """Numbered cadence titles are fixed wording; any other title may quote the plan."""
    title = checkpoint.title
    if title == "Checkpoint" or _NUMBERED.fullmatch(title):
        return title
    return "Deliverable due" if checkpoint.reason == "deliverable" else "Checkpoint"


def without_mention(text: str, user_id: str) -> str:
    """Replace `<@user>` (or `<@user|name>`) with "someone" ("Someone" to start a line)."""
    pattern = re.compile(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>")

    def someone(match: re.Match[str]) -> str:
        start = match.start()
        return "Someone" if start == 0 or text[start - 1] == "\n" else "someone"

    return pattern.sub(someone, text)
