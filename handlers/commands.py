"""Slash commands: `/mentoring <subcommand>`, `/mentor` and `/coach`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

import prompts
from bot import people
from bot.commands import parse_subcommand
from bot.services import Services
from bot.text import escape_mrkdwn, shorten
from handlers import blocks
from handlers.closure import end_subcommand
from handlers.console import (
    cohort_subcommand,
    coordinators_subcommand,
    export_subcommand,
    report_subcommand,
    status_subcommand,
)
from handlers.contracting import group_subcommand, plan_subcommand
from handlers.data_rights import forget_subcommand, my_data_subcommand
from handlers.directory import SlackDirectory
from handlers.leaving import leave_subcommand
from handlers.me import me_subcommand
from handlers.nudge_actions import (
    mute_subcommand,
    pause_subcommand,
    reflect_subcommand,
    resume_subcommand,
    unmute_subcommand,
)
from handlers.pool import offer_subcommand
from handlers.pulse import pulse_subcommand
from handlers.thanks import shoutouts_subcommand, thanks_subcommand

Subcommand = Callable[..., None]


def help_subcommand(ack: Ack, **_: Any) -> None:
    ack(text="Here is what Mentorbot can do.", blocks=blocks.help_message())


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": help_subcommand,
    "offer": offer_subcommand,
    "me": me_subcommand,
    "plan": plan_subcommand,
    "group": group_subcommand,
    "reflect": reflect_subcommand,
    "mute": mute_subcommand,
    "unmute": unmute_subcommand,
    "pause": pause_subcommand,
    "resume": resume_subcommand,
    "my-data": my_data_subcommand,
    "forget-me": forget_subcommand,
    "thanks": thanks_subcommand,
    "shoutouts": shoutouts_subcommand,
    "end": end_subcommand,
    "leave": leave_subcommand,
    "status": status_subcommand,
    "report": report_subcommand,
    "export": export_subcommand,
    "coordinators": coordinators_subcommand,
    "pulse": pulse_subcommand,
    "cohort": cohort_subcommand,
}


def mentoring(ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    parsed = parse_subcommand(command.get("text", ""))
    name = parsed.name or "help"
    handler = SUBCOMMANDS.get(name)
    if handler is None:
        shown = escape_mrkdwn(shorten(name, 40))
        ack(text=prompts.render("unknown_subcommand", subcommand=shown))
    else:
        handler(ack=ack, args=parsed.args, command=command, context=context, client=client)
    remember(context, client)


def remember(context: BoltContext, client: WebClient) -> None:
    """After the ack: note who used the bot, learning their name and time zone the first time
    (no write, and mostly no query, when they were noted a few minutes ago)."""
    services: Services = context["services"]
    if context.team_id and context.user_id:
        people.note_use(
            services, SlackDirectory(client), team_id=context.team_id, user_id=context.user_id
        )


def register(app: App) -> None:
    app.command("/mentoring")(mentoring)
