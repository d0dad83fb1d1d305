"""Block Kit limit checks that answer the way Slack does.

Slack rejects an over-long or malformed payload with an error code plus human-readable lines in
`response_metadata.messages`, each ending with a JSON pointer to the offending field, e.g.
`[ERROR] must be less than 3001 characters [json-pointer:/blocks/3/text/text]`. These functions
return that pair (`Violation`) or None. They are pure: no state, no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MESSAGE_TEXT_MAX = 40_000
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
VIEW_BYTES_MAX = 250_000
ID_MAX = 255

BLOCK_TYPES = frozenset(
    [
        "section",
        "divider",
        "image",
        "actions",
        "context",
        "input",
        "header",
        "rich_text",
        "file",
        "video",
        "markdown",
    ]
)
_SELECT_SOURCES = ("static", "external", "users", "conversations", "channels")
SELECTS = frozenset(f"{src}_select" for src in _SELECT_SOURCES) | frozenset(
    f"multi_{src}_select" for src in _SELECT_SOURCES
)
INPUT_ELEMENTS = SELECTS | frozenset(
    [
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
        "file_input",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "checkboxes",
        "radio_buttons",
    ]
)
ELEMENT_TYPES = INPUT_ELEMENTS | {"button", "overflow", "image", "workflow_button"}
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})


@dataclass(frozen=True)
class Violation:
    """Slack's error code and its `response_metadata.messages` lines."""

    error: str
    messages: tuple[str, ...] = ()

    def body(self) -> dict[str, Any]:
        """The JSON body Slack answers with."""
        out: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            out["response_metadata"] = {"messages": list(self.messages)}
        return out


class _Checker:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.block_ids: set[str] = set()

    def add(self, message: str, pointer: str) -> None:
        self.messages.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    def max_len(self, value: object, limit: int, pointer: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(f"must be less than {limit + 1} characters", pointer)

    def items(self, value: object, limit: int, pointer: str, *, required: bool = True) -> list[Any]:
        if value is None:
            if required:
                self.add("missing required field", pointer)
            return []
        if not isinstance(value, list):
            self.add("must provide an array", pointer)
            return []
        if required and not value:
            self.add("must provide at least 1 item", pointer)
        if len(value) > limit:
            self.add(f"no more than {limit} items allowed", pointer)
        return value

    def text(
        self, obj: object, limit: int, pointer: str, *, plain: bool = False, required: bool = True
    ) -> None:
        if obj is None:
            if required:
                self.add("missing required field", pointer)
            return
        if not isinstance(obj, dict):
            self.add("must provide an object", pointer)
            return
        kind = obj.get("type")
        if kind not in (("plain_text",) if plain else TEXT_TYPES):
            allowed = "plain_text" if plain else "plain_text, mrkdwn"
            self.add(f"must be one of: {allowed}", f"{pointer}/type")
        value = obj.get("text")
        if not isinstance(value, str):
            self.add("missing required field: text", f"{pointer}/text")
            return
        if not value:
            self.add("must be more than 0 characters", f"{pointer}/text")
        self.max_len(value, limit, f"{pointer}/text")

    def blocks(self, blocks: object, limit: int, pointer: str) -> None:
        for i, block in enumerate(self.items(blocks, limit, pointer, required=False)):
            self.block(block, f"{pointer}/{i}")

    def block(self, block: object, ptr: str) -> None:
        if not isinstance(block, dict):
            self.add("must provide an object", ptr)
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.add(f"unsupported type: {kind}", f"{ptr}/type")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.max_len(block_id, ID_MAX, f"{ptr}/block_id")
            if block_id in self.block_ids:
                self.add(f"duplicate block_id: {block_id}", f"{ptr}/block_id")
            self.block_ids.add(str(block_id))
        action_ids: set[str] = set()
        if kind == "header":
            self.text(block.get("text"), 150, f"{ptr}/text", plain=True)
        elif kind == "section":
            self.section(block, ptr, action_ids)
        elif kind == "actions":
            for i, el in enumerate(self.items(block.get("elements"), 25, f"{ptr}/elements")):
                self.element(el, f"{ptr}/elements/{i}", action_ids)
        elif kind == "context":
            for i, el in enumerate(self.items(block.get("elements"), 10, f"{ptr}/elements")):
                if isinstance(el, dict) and el.get("type") == "image":
                    self.element(el, f"{ptr}/elements/{i}", action_ids)
                else:
                    self.text(el, 3000, f"{ptr}/elements/{i}")
        elif kind == "input":
            self.text(block.get("label"), 2000, f"{ptr}/label", plain=True)
            self.text(block.get("hint"), 2000, f"{ptr}/hint", plain=True, required=False)
            element = block.get("element")
            if element is None:
                self.add("missing required field: element", ptr)
            elif isinstance(element, dict) and element.get("type") not in INPUT_ELEMENTS:
                self.add(f"unsupported type: {element.get('type')}", f"{ptr}/element/type")
            else:
                self.element(element, f"{ptr}/element", action_ids)
        elif kind == "image":
            self.image(block, ptr)
            self.text(block.get("title"), 2000, f"{ptr}/title", plain=True, required=False)
        elif kind == "markdown" and not isinstance(block.get("text"), str):
            self.add("missing required field: text", ptr)

    def section(self, block: dict[str, Any], ptr: str, action_ids: set[str]) -> None:
        text, fields = block.get("text"), block.get("fields")
        if text is None and fields is None:
            self.add("missing required field: text or fields", ptr)
        self.text(text, 3000, f"{ptr}/text", required=False)
        for i, field in enumerate(self.items(fields, 10, f"{ptr}/fields", required=False)):
            self.text(field, 2000, f"{ptr}/fields/{i}")
        if block.get("accessory") is not None:
            self.element(block["accessory"], f"{ptr}/accessory", action_ids)

    def image(self, obj: dict[str, Any], ptr: str) -> None:
        if obj.get("image_url") is None and obj.get("slack_file") is None:
            self.add("missing required field: image_url", ptr)
        self.max_len(obj.get("image_url"), 3000, f"{ptr}/image_url")
        if not isinstance(obj.get("alt_text"), str):
            self.add("missing required field: alt_text", ptr)
        self.max_len(obj.get("alt_text"), 2000, f"{ptr}/alt_text")

    def element(self, el: object, ptr: str, action_ids: set[str]) -> None:
        if not isinstance(el, dict):
            self.add("must provide an object", ptr)
            return
        kind = el.get("type")
        if kind not in ELEMENT_TYPES:
            self.add(f"unsupported type: {kind}", f"{ptr}/type")
            return
        if kind == "image":
            self.image(el, ptr)
            return
        action_id = el.get("action_id")
        if action_id is not None:
            self.max_len(action_id, ID_MAX, f"{ptr}/action_id")
            if action_id in action_ids:
                self.add(f"duplicate action_id: {action_id}", f"{ptr}/action_id")
            action_ids.add(str(action_id))
        self.text(el.get("placeholder"), 150, f"{ptr}/placeholder", plain=True, required=False)
        if el.get("confirm") is not None:
            self.confirm(el["confirm"], f"{ptr}/confirm")
        if kind == "button":
            self.text(el.get("text"), 75, f"{ptr}/text", plain=True)
            self.max_len(el.get("value"), 2000, f"{ptr}/value")
            self.max_len(el.get("url"), 3000, f"{ptr}/url")
            if el.get("style") not in (None, "primary", "danger"):
                self.add("must be one of: primary, danger", f"{ptr}/style")
        elif kind in ("static_select", "multi_static_select"):
            if el.get("options") is None and el.get("option_groups") is None:
                self.add("missing required field: options", ptr)
            self.options(el.get("options"), 100, f"{ptr}/options", required=False)
            groups = self.items(
                el.get("option_groups"), 100, f"{ptr}/option_groups", required=False
            )
            for i, group in enumerate(groups):
                gptr = f"{ptr}/option_groups/{i}"
                if isinstance(group, dict):
                    self.text(group.get("label"), 75, f"{gptr}/label", plain=True)
                    self.options(group.get("options"), 100, f"{gptr}/options")
        elif kind == "overflow":
            self.options(el.get("options"), 5, f"{ptr}/options")
        elif kind in ("checkboxes", "radio_buttons"):
            self.options(el.get("options"), 10, f"{ptr}/options", mrkdwn=True)
        elif kind == "plain_text_input":
            for key in ("max_length", "min_length"):
                value = el.get(key)
                if isinstance(value, int) and value > 3000:
                    self.add("must be less than or equal to 3000", f"{ptr}/{key}")
            self.max_len(el.get("initial_value"), 3000, f"{ptr}/initial_value")

    def options(
        self, options: object, limit: int, ptr: str, *, required: bool = True, mrkdwn: bool = False
    ) -> None:
        for i, opt in enumerate(self.items(options, limit, ptr, required=required)):
            optr = f"{ptr}/{i}"
            if not isinstance(opt, dict):
                self.add("must provide an object", optr)
                continue
            self.text(opt.get("text"), 75, f"{optr}/text", plain=not mrkdwn)
            self.text(opt.get("description"), 75, f"{optr}/description", required=False)
            if not isinstance(opt.get("value"), str):
                self.add("missing required field: value", optr)
            self.max_len(opt.get("value"), 150, f"{optr}/value")

    def confirm(self, obj: object, ptr: str) -> None:
        if not isinstance(obj, dict):
            self.add("must provide an object", ptr)
            return
        self.text(obj.get("title"), 100, f"{ptr}/title", plain=True)
        self.text(obj.get("text"), 300, f"{ptr}/text")
        self.text(obj.get("confirm"), 30, f"{ptr}/confirm", plain=True)
        self.text(obj.get("deny"), 30, f"{ptr}/deny", plain=True)


def check_blocks(blocks: object, limit: int, pointer: str = "/blocks") -> list[str]:
    """Slack's `[ERROR] ...` lines for a blocks array (empty when valid)."""
    checker = _Checker()
    checker.blocks(blocks, limit, pointer)
    return checker.messages


def check_message(text: object, blocks: object) -> Violation | None:
    """Limits for chat.postMessage / chat.update / chat.postEphemeral / response_url bodies."""
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        return Violation("msg_too_long")
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        return Violation("invalid_blocks_format")
    messages = check_blocks(blocks, MESSAGE_BLOCKS_MAX)
    return Violation("invalid_blocks", tuple(messages)) if messages else None


def check_view(view: object) -> Violation | None:
    """Limits for a modal or Home tab view (views.open / push / update / publish)."""
    if not isinstance(view, dict):
        return Violation(
            "invalid_arguments", ("[ERROR] must provide an object [json-pointer:/view]",)
        )
    if len(json.dumps(view)) > VIEW_BYTES_MAX:
        return Violation("view_too_large")
    checker = _Checker()
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.add(f"unsupported type: {kind}", "/view/type")
    if kind == "modal":
        checker.text(view.get("title"), 24, "/view/title", plain=True)
        checker.text(view.get("submit"), 24, "/view/submit", plain=True, required=False)
        checker.text(view.get("close"), 24, "/view/close", plain=True, required=False)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            checker.add("submit is required when an input block is present", "/view/submit")
    checker.max_len(view.get("private_metadata"), 3000, "/view/private_metadata")
    checker.max_len(view.get("callback_id"), ID_MAX, "/view/callback_id")
    checker.max_len(view.get("external_id"), ID_MAX, "/view/external_id")
    if view.get("blocks") is None:
        checker.add("missing required field: blocks", "/view")
    checker.blocks(view.get("blocks"), VIEW_BLOCKS_MAX, "/view/blocks")
    return Violation("invalid_arguments", tuple(checker.messages)) if checker.messages else None
