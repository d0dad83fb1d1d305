"""Block Kit rendered as readable plain text, for a terminal transcript of what each person saw.

Pure functions. `names` maps user ids to display names so `<@U123>` reads as `@Jane Doe`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DIVIDER = "—" * 40
_ENTITY = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True)
class Seen:
    """Something people saw: `kind` is message, ephemeral, modal, home, file, response or
    update; `text` is its plain-text rendering."""

    at: float
    users: tuple[str, ...]
    channel: str | None
    kind: str
    text: str


def unescape(text: str) -> str:
    """Undo Slack's three escapes; `&amp;` goes last so `&amp;lt;` stays `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render_mrkdwn(text: str, names: Mapping[str, str] | None = None) -> str:
    """Turn Slack's live syntax (mentions, links, broadcasts) into what a reader would see."""
    known = names or {}

    def entity(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            user_id = target[1:]
            return "@" + (label or known.get(user_id, user_id))
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@" + target.removeprefix("!subteam^")
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]
        return label or target

    return unescape(_ENTITY.sub(entity, text))


def _text(obj: object, names: Mapping[str, str] | None) -> str:
    if isinstance(obj, str):
        return render_mrkdwn(obj, names)
    if not isinstance(obj, Mapping):
        return ""
    value = obj.get("text")
    if not isinstance(value, str):
        return ""
    return render_mrkdwn(value, names) if obj.get("type") == "mrkdwn" else unescape(value)


def _option_label(option: object, names: Mapping[str, str] | None) -> str:
    return _text(option.get("text"), names) if isinstance(option, Mapping) else ""


def _selected(el: Mapping[str, Any], names: Mapping[str, str] | None) -> str:
    """What a select shows before anyone touches it: its initial value, else the placeholder."""
    if el.get("initial_option"):
        return _option_label(el["initial_option"], names)
    if el.get("initial_options"):
        return ", ".join(_option_label(o, names) for o in el["initial_options"])
    known = names or {}
    for key in ("initial_user", "initial_conversation", "initial_channel"):
        if el.get(key):
            prefix, value = ("@" if key == "initial_user" else "#"), str(el[key])
            return prefix + known.get(value, value)
    for key in ("initial_users", "initial_conversations", "initial_channels"):
        if el.get(key):
            prefix = "@" if key == "initial_users" else "#"
            return ", ".join(prefix + known.get(str(v), str(v)) for v in el[key])
    return _text(el.get("placeholder"), names) or "Select"


def render_element(el: object, names: Mapping[str, str] | None = None) -> str:
    """One interactive element, e.g. `[ Approve ]`, `[Pick a person ▾]`, `[📅 2025-03-01]`."""
    if not isinstance(el, Mapping):
        return ""
    kind = str(el.get("type", ""))
    placeholder = _text(el.get("placeholder"), names)
    if kind in ("button", "workflow_button"):
        return f"[ {_text(el.get('text'), names)} ]"
    if kind.endswith("_select"):
        return f"[{_selected(el, names)} ▾]"
    if kind == "overflow":
        return "[ ⋯ ]"
    if kind == "datepicker":
        return f"[📅 {el.get('initial_date') or placeholder or 'Select a date'}]"
    if kind == "timepicker":
        return f"[🕒 {el.get('initial_time') or placeholder or 'Select a time'}]"
    if kind == "datetimepicker":
        return f"[📅 {el.get('initial_date_time') or 'Select a date and time'}]"
    if kind in ("checkboxes", "radio_buttons"):
        chosen = el.get("initial_options") or [el.get("initial_option")]
        chosen_values = {o.get("value") for o in chosen if isinstance(o, Mapping)}
        marks = ("[x]", "[ ]") if kind == "checkboxes" else ("(•)", "( )")
        return "\n".join(
            f"{marks[0] if o.get('value') in chosen_values else marks[1]} {_option_label(o, names)}"
            for o in el.get("options") or []
            if isinstance(o, Mapping)
        )
    if kind == "image":
        return f"[image: {el.get('alt_text', '')}]"
    if kind == "file_input":
        return "[ Upload a file ]"
    initial = el.get("initial_value")
    shown = str(initial) if initial not in (None, "") else placeholder or "____"
    return f"[{shown}]"


def _rich_text(node: object, names: Mapping[str, str] | None) -> str:
    if isinstance(node, list):
        return "".join(_rich_text(n, names) for n in node)
    if not isinstance(node, Mapping):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "user":
        user_id = str(node.get("user_id", ""))
        return "@" + (names or {}).get(user_id, user_id)
    if kind == "link":
        return str(node.get("text") or node.get("url", ""))
    if kind == "emoji":
        return f":{node.get('name', '')}:"
    if kind == "broadcast":
        return "@" + str(node.get("range", ""))
    inner = _rich_text(node.get("elements", []), names)
    return inner + "\n" if kind in ("rich_text_section", "rich_text_list") else inner


def _block(block: Mapping[str, Any], names: Mapping[str, str] | None) -> str:
    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"), names)
        return f"{title}\n{'=' * len(title)}"
    if kind == "divider":
        return DIVIDER
    if kind == "section":
        lines = [_text(block.get("text"), names)] if block.get("text") else []
        lines += [_text(f, names).replace("\n", " ") for f in block.get("fields") or []]
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping):
            rendered = render_element(accessory, names)
            if accessory.get("type") in ("checkboxes", "radio_buttons"):
                lines.append(rendered)
            elif lines:
                lines[-1] = f"{lines[-1]}  {rendered}"
            else:
                lines.append(rendered)
        return "\n".join(lines)
    if kind == "context":
        parts = [
            f"[image: {el.get('alt_text', '')}]" if el.get("type") == "image" else _text(el, names)
            for el in block.get("elements") or []
            if isinstance(el, Mapping)
        ]
        return "  · " + " · ".join(parts)
    if kind == "actions":
        return "  ".join(render_element(el, names) for el in block.get("elements") or [])
    if kind == "input":
        label = _text(block.get("label"), names)
        if block.get("optional"):
            label += " (optional)"
        element = render_element(block.get("element"), names)
        line = f"{label}:\n{element}" if "\n" in element else f"{label}: {element}"
        hint = _text(block.get("hint"), names)
        return f"{line}\n  · {hint}" if hint else line
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    if kind == "rich_text":
        return _rich_text(block.get("elements", []), names).rstrip("\n")
    if kind == "markdown":
        return render_mrkdwn(str(block.get("text", "")), names)
    return f"[{kind}]"


def render_blocks(
    blocks: Sequence[object] | None,
    fallback_text: str = "",
    *,
    names: Mapping[str, str] | None = None,
) -> str:
    """A message as plain text: its blocks when it has any, else its fallback text."""
    if not blocks:
        return render_mrkdwn(fallback_text, names)
    return "\n".join(_block(b, names) for b in blocks if isinstance(b, Mapping))


def render_view(view: Mapping[str, Any], *, names: Mapping[str, str] | None = None) -> str:
    """A modal (title, blocks, Close/Submit buttons) or a Home tab as plain text."""
    body = render_blocks(view.get("blocks") or [], names=names)
    if view.get("type") == "home":
        return f"🏠 Home\n{body}" if body else "🏠 Home"
    title = _text(view.get("title"), names)
    buttons = [f"[ {_text(view.get('close'), names) or 'Cancel'} ]"]
    if view.get("submit"):
        buttons.append(f"[ {_text(view.get('submit'), names)} ]")
    rule = "─" * max(len(title) + 4, 20)
    return "\n".join(part for part in (f"┌ {title}", rule, body, rule, "  ".join(buttons)) if part)
