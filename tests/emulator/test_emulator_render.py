"""The plain-text renderer of Block Kit messages and views."""

from __future__ import annotations

from bot.emulator.render import DIVIDER, render_blocks, render_mrkdwn, render_view

NAMES = {"U0JONAH01": "Jonah Whitcombe"}


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def option(text: str, value: str) -> dict[str, object]:
    return {"text": plain(text), "value": value}


def test_mrkdwn_entities() -> None:
    text = "Hi <@U0JONAH01>, <@U0NOBODY> and <@U1|sam>: see <https://x.io|the plan> &amp; <https://y.io>"
    assert render_mrkdwn(text, NAMES) == (
        "Hi @Jonah Whitcombe, @U0NOBODY and @sam: see the plan & https://y.io"
    )
    assert render_mrkdwn("<!channel> <!here> <#C1|general> &lt;b&gt; &amp;lt;") == (
        "@channel @here #general <b> &lt;"
    )
    assert render_mrkdwn("<!subteam^S1|@leads> <!date^1700000000^{date}|Nov 14>") == "@leads Nov 14"


def test_fallback_text_when_no_blocks() -> None:
    assert render_blocks([], "Hello <@U0JONAH01>", names=NAMES) == "Hello @Jonah Whitcombe"


def test_message_blocks() -> None:
    blocks = [
        {"type": "header", "text": plain("New request")},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "From <@U0JONAH01>"},
            "accessory": {"type": "button", "text": plain("Open"), "action_id": "o"},
        },
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Kind*\nmentor"}]},
        {"type": "divider"},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "today"}, {"type": "image", "alt_text": "x"}],
        },
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": plain("Accept")},
                {"type": "static_select", "placeholder": plain("Pick")},
                {
                    "type": "static_select",
                    "initial_option": option("Career", "c"),
                    "options": [option("Career", "c")],
                },
                {"type": "users_select", "initial_user": "U0JONAH01"},
                {"type": "datepicker", "initial_date": "2025-03-01"},
                {"type": "overflow", "options": [option("a", "a")]},
            ],
        },
        {"type": "image", "image_url": "https://x", "alt_text": "org chart"},
    ]
    assert render_blocks(blocks, names=NAMES).splitlines() == [
        "New request",
        "===========",
        "From @Jonah Whitcombe  [ Open ]",
        "*Kind* mentor",
        DIVIDER,
        "  · today · [image: x]",
        "[ Accept ]  [Pick ▾]  [Career ▾]  [@Jonah Whitcombe ▾]  [📅 2025-03-01]  [ ⋯ ]",
        "[image: org chart]",
    ]


def test_modal_with_inputs() -> None:
    view = {
        "type": "modal",
        "title": plain("Find a mentor"),
        "submit": plain("Send"),
        "blocks": [
            {
                "type": "input",
                "label": plain("Goal"),
                "element": {"type": "plain_text_input", "initial_value": "Lead a team"},
            },
            {
                "type": "input",
                "label": plain("Notes"),
                "optional": True,
                "hint": plain("Only you see this"),
                "element": {"type": "plain_text_input", "placeholder": plain("Anything else")},
            },
            {
                "type": "input",
                "label": plain("Format"),
                "element": {
                    "type": "radio_buttons",
                    "initial_option": option("Remote", "r"),
                    "options": [option("Remote", "r"), option("In person", "p")],
                },
            },
            {
                "type": "input",
                "label": plain("Topics"),
                "element": {
                    "type": "checkboxes",
                    "initial_options": [option("Career", "c")],
                    "options": [option("Career", "c"), option("Skill", "s")],
                },
            },
        ],
    }
    assert render_view(view).splitlines() == [
        "┌ Find a mentor",
        "─" * 20,
        "Goal: [Lead a team]",
        "Notes (optional): [Anything else]",
        "  · Only you see this",
        "Format:",
        "(•) Remote",
        "( ) In person",
        "Topics:",
        "[x] Career",
        "[ ] Skill",
        "─" * 20,
        "[ Cancel ]  [ Send ]",
    ]


def test_home_and_rich_text() -> None:
    rich = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Thanks "},
                    {"type": "user", "user_id": "U0JONAH01"},
                    {"type": "emoji", "name": "tada"},
                ],
            }
        ],
    }
    home = {"type": "home", "blocks": [rich, {"type": "markdown", "text": "**Bold** &amp;"}]}
    assert render_view(home, names=NAMES) == "🏠 Home\nThanks @Jonah Whitcombe:tada:\n**Bold** &"
