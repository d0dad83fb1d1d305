"""Block Kit limit checks: one case per limit family, plus no false alarms on valid payloads."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.emulator.limits import check_blocks, check_message, check_view


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": "go", **extra}


def select(options: int = 2, **extra: Any) -> dict[str, Any]:
    opts = [{"text": plain(f"o{i}"), "value": f"v{i}"} for i in range(options)]
    return {"type": "static_select", "action_id": "pick", "options": opts, **extra}


def modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Find a mentor"), "blocks": [section()], **extra}


def sdk_blocks() -> list[dict[str, Any]]:
    """A realistic payload built with slack_sdk's own (limit-checking) model classes."""
    options = [Option(text="Career", value="career"), Option(text="Skill", value="skill")]
    blocks = [
        HeaderBlock(text="Your mentoring request"),
        SectionBlock(
            text=MarkdownTextObject(text="*Topic:* growing as a lead <@U0JONAH01>"),
            fields=[MarkdownTextObject(text="*Kind*\nmentor"), MarkdownTextObject(text="*When*")],
            accessory=ButtonElement(text="Details", action_id="details", value="r1"),
        ),
        DividerBlock(),
        ContextBlock(elements=[MarkdownTextObject(text="Requested today")]),
        ImageBlock(image_url="https://example.com/a.png", alt_text="chart"),
        ActionsBlock(
            elements=[
                ButtonElement(text="Accept", action_id="accept", value="r1", style="primary"),
                ButtonElement(text="Decline", action_id="decline", value="r1", style="danger"),
                StaticSelectElement(placeholder="Kind", action_id="kind", options=options),
                DatePickerElement(action_id="start", initial_date="2025-03-01"),
            ]
        ),
        InputBlock(
            label="Goal", block_id="goal", element=PlainTextInputElement(action_id="goal_text")
        ),
        InputBlock(label="Who", element=UserSelectElement(action_id="who")),
        InputBlock(label="Kinds", element=CheckboxesElement(action_id="ks", options=options)),
    ]
    return [b.to_dict() for b in blocks]


def test_valid_sdk_payloads_pass() -> None:
    blocks = sdk_blocks()
    assert check_message("fallback", blocks) is None
    view = View(type="modal", title="Find a mentor", submit="Send", close="Cancel", blocks=blocks)
    assert check_view(view.to_dict()) is None
    assert check_view({"type": "home", "blocks": blocks}) is None


@pytest.mark.parametrize(
    ("blocks", "pointer", "phrase"),
    [
        ([section()] * 51, "/blocks", "no more than 50 items"),
        ([section("x" * 3001)], "/blocks/0/text/text", "less than 3001 characters"),
        ([{"type": "header", "text": plain("x" * 151)}], "/blocks/0/text/text", "151"),
        ([{"type": "section", "fields": [plain("x")] * 11}], "/blocks/0/fields", "10 items"),
        ([{"type": "section", "fields": [plain("x" * 2001)]}], "/blocks/0/fields/0/text", "2001"),
        (
            [{"type": "actions", "elements": [button("x" * 76)]}],
            "/blocks/0/elements/0/text/text",
            "",
        ),
        ([section(accessory=button(value="v" * 2001))], "/blocks/0/accessory/value", "2001"),
        ([section(accessory=button(action_id="a" * 256))], "/blocks/0/accessory/action_id", ""),
        ([section(block_id="b" * 256)], "/blocks/0/block_id", "256"),
        (
            [
                {
                    "type": "actions",
                    "elements": [{**button(), "action_id": f"a{i}"} for i in range(26)],
                }
            ],
            "/blocks/0/elements",
            "25 items",
        ),
        ([{"type": "context", "elements": [plain("x")] * 11}], "/blocks/0/elements", "10 items"),
        ([section(accessory=select(101))], "/blocks/0/accessory/options", "100 items"),
        (
            [section(accessory={**select(), "options": [{"text": plain("x" * 76), "value": "v"}]})],
            "/blocks/0/accessory/options/0/text/text",
            "",
        ),
        (
            [
                section(
                    accessory={**select(), "options": [{"text": plain("x"), "value": "v" * 151}]}
                )
            ],
            "/blocks/0/accessory/options/0/value",
            "151",
        ),
        (
            [section(accessory=select(placeholder=plain("p" * 151)))],
            "/blocks/0/accessory/placeholder/text",
            "151",
        ),
        ([{"type": "carousel"}], "/blocks/0/type", "unsupported type"),
        ([{"type": "section"}], "/blocks/0", "text or fields"),
        ([section(block_id="same"), section(block_id="same")], "/blocks/1/block_id", "duplicate"),
        (
            [{"type": "actions", "elements": [button(), button()]}],
            "/blocks/0/elements/1/action_id",
            "duplicate",
        ),
    ],
)
def test_message_block_limits(blocks: list[dict[str, Any]], pointer: str, phrase: str) -> None:
    violation = check_message("fallback", blocks)
    assert violation is not None
    assert violation.error == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}]" in m and phrase in m for m in violation.messages), (
        violation.messages
    )
    assert all(m.startswith("[ERROR] ") for m in violation.messages)


def test_same_action_id_in_different_blocks_is_allowed() -> None:
    """Slack wants action_ids unique within a block, not across blocks (one Accept per row)."""
    rows = [{"type": "actions", "elements": [button()]} for _ in range(3)]
    assert check_message("x", rows) is None


def test_message_text_and_format() -> None:
    assert check_message("x" * 40_000, None) is None
    too_long = check_message("x" * 40_001, None)
    assert too_long is not None
    assert too_long.error == "msg_too_long"
    not_a_list = check_message("x", "[not json")
    assert not_a_list is not None
    assert not_a_list.error == "invalid_blocks_format"


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal(title=plain("x" * 25)), "/view/title/text"),
        (modal(submit=plain("x" * 25)), "/view/submit/text"),
        (modal(close=plain("x" * 25)), "/view/close/text"),
        (modal(blocks=[section()] * 101), "/view/blocks"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata"),
        (modal(callback_id="c" * 256), "/view/callback_id"),
        (modal(external_id="e" * 256), "/view/external_id"),
        (
            modal(blocks=[{"type": "input", "element": {"type": "plain_text_input"}}]),
            "/view/blocks/0/label",
        ),
        (
            modal(submit=plain("Go"), blocks=[{"type": "input", "label": plain("L")}]),
            "/view/blocks/0",
        ),
        (
            modal(
                submit=plain("Go"),
                blocks=[
                    {"type": "input", "label": plain("x" * 2001), "element": {"type": "datepicker"}}
                ],
            ),
            "/view/blocks/0/label/text",
        ),
        (
            modal(
                blocks=[{"type": "input", "label": plain("L"), "element": {"type": "datepicker"}}]
            ),
            "/view/submit",
        ),
        ({"type": "modal", "blocks": []}, "/view/title"),
        ({"type": "sheet", "blocks": []}, "/view/type"),
    ],
)
def test_view_limits(view: dict[str, Any], pointer: str) -> None:
    violation = check_view(view)
    assert violation is not None
    assert violation.error == "invalid_arguments"
    assert any(f"[json-pointer:{pointer}]" in m for m in violation.messages), violation.messages


def test_view_too_large_and_body_shape() -> None:
    huge = modal(blocks=[section("x" * 3000, block_id=str(i)) for i in range(90)])
    violation = check_view(huge)
    assert violation is not None
    assert violation.body() == {"ok": False, "error": "view_too_large"}
    violation = check_view(modal(title=plain("x" * 25)))
    assert violation is not None
    assert violation.body()["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]


def test_check_blocks_reports_every_problem() -> None:
    messages = check_blocks([section("x" * 3001), {"type": "nope"}], 50)
    assert len(messages) == 2
