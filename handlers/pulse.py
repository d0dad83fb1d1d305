"""Listeners for pulse surveys: the 1-5 rating, the suggestion, and `/mentoring pulse`."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

import prompts
from bot import pulse
from bot.errors import DomainError
from bot.forms import FormErrors
from bot.services import Services
from bot.text import escape_mrkdwn, shorten
from handlers import ids, view_state
from handlers.blocks import BlockDicts, header, render, section
from handlers.replies import whisper

RATE_ACTION = re.compile(rf"^{ids.PULSE_RATE}_[1-5]$")


def _services(context: BoltContext) -> Services:
    services: Services = context["services"]
    return services


def _target(value: Any) -> tuple[int, str]:
    relationship, _, period = str(value or "").partition(":")
    return view_state.number(relationship) or 0, period[:16]


def rate(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    rating = int(str(action["action_id"]).rsplit("_", 1)[1])
    relationship_id, period = _target(action.get("value"))
    try:
        pulse.rate(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=relationship_id,
            period=period,
            rating=rating,
        )
    except DomainError as problem:
        whisper(respond, str(problem))
        return
    whisper(respond, prompts.render("pulse_thanks", rating=rating))


def open_suggestion(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    ack()
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.PULSE_TEXT,
            label="Your suggestion for the program",
            hint="Coordinators read these to improve the program.",
            element=PlainTextInputElement(
                action_id=ids.PULSE_TEXT, multiline=True, max_length=pulse.SUGGESTION_MAX
            ),
        )
    ]
    view = View(
        type="modal",
        callback_id=ids.PULSE_FORM,
        title="A suggestion",
        submit="Send",
        close="Cancel",
        private_metadata=json.dumps({"target": action.get("value")}),
        blocks=blocks,
    )
    client.views_open(trigger_id=body["trigger_id"], view=view.to_dict())


def submit_suggestion(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    relationship_id, period = _target(view_state.metadata(view).get("target"))
    try:
        pulse.suggest(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=relationship_id,
            period=period,
            suggestion=view_state.text(view["state"]["values"], ids.PULSE_TEXT),
        )
    except FormErrors as invalid:
        ack(response_action="errors", errors={ids.PULSE_TEXT: invalid.errors["suggestion"]})
        return
    except DomainError as problem:
        ack(response_action="errors", errors={ids.PULSE_TEXT: str(problem)})
        return
    ack()


def results_message(lines: list[pulse.PulseLine]) -> BlockDicts:
    if not lines:
        return render([section("No pulse answers in the last 90 days yet.")])
    blocks: list[Block] = [header("Pulse survey, last 90 days")]
    for line in lines[:25]:
        people = ", ".join(f"<@{p}>" for p in line.people)
        average = "no rating" if line.average is None else f"{line.average:.1f}/5"
        text = f"*{people}*: {average} from {line.answers} answer(s)"
        for suggestion in line.suggestions[:3]:
            text += f"\n> {escape_mrkdwn(shorten(suggestion, 300))}"
        blocks.append(section(text))
    return render(blocks)


def pulse_subcommand(ack: Ack, context: BoltContext, **_: Any) -> None:
    services = _services(context)
    try:
        lines = pulse.results(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            since=services.now() - timedelta(days=90),
        )
    except DomainError as problem:
        ack(text=str(problem))
        return
    ack(text="Pulse survey results.", blocks=results_message(lines))


def register(app: App) -> None:
    app.action(RATE_ACTION)(rate)
    app.action(ids.PULSE_SUGGEST)(open_suggestion)
    app.view(ids.PULSE_FORM)(submit_suggestion)
