"""Block Kit for the volunteer pool and for `/mentoring me`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

import prompts
from bot import service_levels
from bot.forms import AVAILABILITY_MAX, CAPACITY_MAX, TOPICS_MAX, Style
from bot.overview import Overview, RequestLine
from bot.pool import OfferState
from bot.text import escape_mrkdwn, shorten
from bot.triage import Format
from handlers import ids
from handlers.blocks import BlockDicts, context, divider, header, render, section
from handlers.request_blocks import FORMAT_LABELS

ROLE_LABELS = {"mentor": "Mentor (broad career direction)", "coach": "Coach (specific skills)"}
STYLE_LABELS = {
    Style.GUIDE: "Guide: I mostly ask questions and help people think",
    Style.TEACHER: "Teacher: I mostly explain and show how",
}
KIND_NAMES = {
    "mentoring": "Mentoring",
    "coaching": "Coaching",
    "group_coaching": "Group coaching",
    "observation": "Observation",
}


def _options(labels: dict[Any, str]) -> list[Option]:
    return [Option(value=str(key), label=label) for key, label in labels.items()]


def _initial(labels: dict[Any, str], chosen: set[str]) -> list[Option] | None:
    picked = [Option(value=str(k), label=v) for k, v in labels.items() if str(k) in chosen]
    return picked or None


def avoid_summary(avoided: Sequence[str]) -> str:
    if not avoided:
        return prompts.render("avoid_none")
    return prompts.render("avoid_list", people=", ".join(f"<@{u}>" for u in avoided))


def offer_form(current: OfferState | None, avoided: Sequence[str] = ()) -> dict[str, Any]:
    roles = set()
    if current is not None:
        roles = {r for r, on in (("mentor", current.as_mentor), ("coach", current.as_coach)) if on}
    style = current.style if current else Style.GUIDE.value
    blocks: list[Block] = [
        section(prompts.render("offer_intro")),
        InputBlock(
            block_id=ids.OFFER_ROLES,
            label="I can be a…",
            element=CheckboxesElement(
                action_id=ids.OFFER_ROLES,
                options=_options(ROLE_LABELS),
                initial_options=_initial(ROLE_LABELS, roles),
            ),
        ),
        InputBlock(
            block_id=ids.OFFER_TOPICS,
            label="What can you help with?",
            hint="Skills, areas and experiences, in your own words.",
            element=PlainTextInputElement(
                action_id=ids.OFFER_TOPICS,
                multiline=True,
                max_length=TOPICS_MAX,
                initial_value=current.topics if current else None,
                placeholder="e.g. SQL and data modelling, moving from IC to manager",
            ),
        ),
        InputBlock(
            block_id=ids.OFFER_STYLE,
            label="Your style",
            element=RadioButtonsElement(
                action_id=ids.OFFER_STYLE,
                options=_options(STYLE_LABELS),
                initial_option=Option(value=style, label=STYLE_LABELS[Style(style)]),
            ),
        ),
        InputBlock(
            block_id=ids.OFFER_FORMATS,
            label="Formats you offer",
            element=CheckboxesElement(
                action_id=ids.OFFER_FORMATS,
                options=_options(FORMAT_LABELS),
                initial_options=_initial(
                    FORMAT_LABELS, set(current.formats) if current else {Format.ONE_TO_ONE.value}
                ),
            ),
        ),
        InputBlock(
            block_id=ids.OFFER_CAPACITY,
            label=f"How many people at once (1 to {CAPACITY_MAX})?",
            element=PlainTextInputElement(
                action_id=ids.OFFER_CAPACITY,
                max_length=2,
                initial_value=str(current.capacity) if current else "1",
            ),
        ),
        InputBlock(
            block_id=ids.OFFER_AVAILABILITY,
            label="When are you usually free?",
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.OFFER_AVAILABILITY,
                max_length=AVAILABILITY_MAX,
                initial_value=current.availability if current and current.availability else None,
                placeholder="e.g. Tuesday and Thursday afternoons",
            ),
        ),
        context(avoid_summary(avoided)),
    ]
    view = View(
        type="modal",
        callback_id=ids.OFFER_FORM,
        title="Volunteer",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({}),
        blocks=blocks,
    )
    return view.to_dict()


def offer_saved(state: OfferState) -> dict[str, Any]:
    view = View(
        type="modal", title="Thank you", close="Done", blocks=[section(offer_summary(state))]
    )
    return view.to_dict()


def offer_summary(state: OfferState) -> str:
    roles = " and ".join(
        r for r, on in (("mentor", state.as_mentor), ("coach", state.as_coach)) if on
    )
    return prompts.render(
        "offer_saved",
        roles=roles,
        places=state.free_places,
        capacity=state.capacity,
        status=state.status,
    )


def request_standing(request: RequestLine) -> str:
    """Where one of your requests stands and how long it has waited, in working days."""
    status = {
        "open": "waiting for you to choose",
        "matching": "looking for someone",
        "unmatched": "with the coordinators",
    }.get(request.status, request.status)
    if request.escalated and request.status != "unmatched":
        status += "; the coordinators are helping"
    return (
        f"{status}, waiting {service_levels.age_text(request.waited)} "
        f"(since {request.created_at:%d %b %Y})"
    )


def overview(me: Overview) -> BlockDicts:
    if me.empty:
        return render([section(prompts.render("me_empty"))])
    blocks: list[Block] = [header("Your mentoring and coaching")]
    if me.relationships:
        lines = []
        for r in me.relationships:
            partners = ", ".join(f"<@{p}>" for p in r.partners) or "—"
            role = "you guide" if r.role == "guide" else "you learn"
            lines.append(
                f"• {KIND_NAMES.get(r.kind, r.kind)} with {partners} ({role}, "
                f"since {r.started_at:%d %b %Y})"
            )
        blocks.append(section("*Relationships*\n" + "\n".join(lines)))
    for request in me.requests:
        block = section(f"*Your request for a {request.kind}* — {request_standing(request)}")
        block.accessory = ButtonElement(
            text="Cancel", action_id=ids.REQUEST_CANCEL, value=str(request.request_id)
        )
        blocks.append(block)
    if me.invitations_waiting:
        blocks.append(
            section(
                f"*{me.invitations_waiting} invitation(s)* are waiting for your "
                "answer in your DMs with me."
            )
        )
    if me.offer is not None:
        blocks.append(section("*Your offer*\n" + offer_summary(me.offer)))
        blocks.append(context(escape_mrkdwn(shorten(me.offer.topics, 300))))
    blocks.append(divider())
    blocks.append(
        ActionsBlock(
            block_id="me_actions",
            elements=[
                ButtonElement(
                    text="Volunteer or edit my offer", action_id="me_offer", value="offer"
                ),
            ],
        )
    )
    return render(blocks)
