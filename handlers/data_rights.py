"""Listeners for a person's data rights: `/mentoring my-data` and `/mentoring forget-me`.

Both answer Slack at once and do the work after the ack: the export is uploaded to the
person's DM as a JSON file; the erasure runs in one transaction and the person is told in DM.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import CheckboxesElement, InputBlock, Option
from slack_sdk.models.views import View
from sqlalchemy.exc import SQLAlchemyError

import prompts
from bot import data_erasure, data_export
from bot.services import Services
from handlers import announce, ids, view_state
from handlers.blocks import notice, section
from storage.db import DatabaseUnavailable

log = logging.getLogger("mentorbot.data_rights")

EXPORT_FILENAME = "mentorbot-my-data.json"
EXPORT_TITLE = "Your Mentorbot data"
CONFIRM_VALUE = "confirm"
UPLOAD_FAILED = "I couldn't send your file just now. Please try `/mentoring my-data` again."
NOT_TICKED = "Tick the box to confirm, or press Cancel to keep your data."


def my_data_subcommand(ack: Ack, context: BoltContext, client: WebClient, **_: Any) -> None:
    ack(text=prompts.render("export_preparing"))
    services: Services = context["services"]
    user_id = context.user_id or ""
    document = data_export.export(services, team_id=context.team_id or "", user_id=user_id)
    content = json.dumps(document, indent=2, ensure_ascii=False)
    try:
        opened = client.conversations_open(users=user_id)
        client.files_upload_v2(
            channel=str(opened["channel"]["id"]),
            filename=EXPORT_FILENAME,
            content=content,
            title=EXPORT_TITLE,
            initial_comment=prompts.render("export_ready"),
        )
    except SlackApiError as error:
        log.warning("export upload failed: %s", error.response.get("error"))
        if context.respond is not None:
            context.respond(text=UPLOAD_FAILED, response_type="ephemeral", replace_original=False)


def forget_subcommand(ack: Ack, command: dict[str, Any], client: WebClient, **_: Any) -> None:
    ack()
    client.views_open(trigger_id=command["trigger_id"], view=forget_form())


def forget_form() -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=ids.FORGET_FORM,
        title="Forget me",
        submit="Erase my data",
        close="Cancel",
        blocks=[
            section(prompts.render("forget_intro")),
            InputBlock(
                block_id=ids.FORGET_CONFIRM,
                label="Confirm",
                element=CheckboxesElement(
                    action_id=ids.FORGET_CONFIRM,
                    options=[
                        Option(
                            value=CONFIRM_VALUE,
                            label="Yes, erase my personal data. This cannot be undone.",
                        )
                    ],
                ),
            ),
        ],
    )
    return view.to_dict()


def erasing_view() -> dict[str, Any]:
    view = View(
        type="modal",
        title="Forget me",
        close="Close",
        blocks=[section("Erasing your data now. I'll tell you in our DM when it is done.")],
    )
    return view.to_dict()


def submit_forget(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ticked = view_state.choices(view["state"]["values"], ids.FORGET_CONFIRM)
    if CONFIRM_VALUE not in ticked:
        ack(response_action="errors", errors={ids.FORGET_CONFIRM: NOT_TICKED})
        return
    ack(response_action="update", view=erasing_view())
    services: Services = context["services"]
    user_id = context.user_id or ""
    try:
        erased = data_erasure.forget(services, team_id=context.team_id or "", user_id=user_id)
    except (SQLAlchemyError, DatabaseUnavailable) as error:
        log.error("forget-me failed", extra={"error": type(error).__name__})
        _tell(client, user_id, prompts.render("forget_failed"))
        return
    for channel, ts in erased.withdrawn:
        announce.withdrawn(client, channel, ts)
    _tell(client, user_id, prompts.render("forget_nothing" if erased.already else "forget_done"))


def _tell(client: WebClient, user_id: str, text: str) -> None:
    try:
        announce.reply_dm(client, user_id, text, notice(text))
    except SlackApiError as error:
        log.warning("forget-me DM failed: %s", error.response.get("error"))


def register(app: App) -> None:
    app.view(ids.FORGET_FORM)(submit_forget)
