"""Listeners for thanks and shout-outs."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    UserSelectElement,
)

import prompts
from bot import (
    appreciation,
    people,
)
from bot.commands import mentioned_users, without_mentions
from bot.errors import DomainError
from bot.forms import FormErrors
from bot.services import Services
from bot.text import escape_mrkdwn, shorten
from handlers import announce, home, ids, request_blocks, view_state
from handlers.blocks import notice
from handlers.form_modal import form_modal, services_of

# -- thanks ----------------------------------------------------------------------------------


def thanks_modal(services: Services, recipient: str | None, message: str) -> dict[str, Any]:
    channel = services.settings.mentorbot_shoutout_channel
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.THANKS_TO,
            label="Who would you like to thank?",
            element=UserSelectElement(
                action_id=ids.THANKS_TO, initial_user=recipient, placeholder="Pick a person"
            ),
        ),
        InputBlock(
            block_id=ids.THANKS_MESSAGE,
            label="What for?",
            element=PlainTextInputElement(
                action_id=ids.THANKS_MESSAGE,
                multiline=True,
                max_length=appreciation.MESSAGE_MAX,
                initial_value=message or None,
            ),
        ),
    ]
    if channel:
        blocks.append(
            InputBlock(
                block_id=ids.THANKS_PUBLIC,
                label="Shout-out",
                optional=True,
                element=CheckboxesElement(
                    action_id=ids.THANKS_PUBLIC,
                    options=[
                        Option(value="public", label="Also thank them in the shout-out channel")
                    ],
                ),
            )
        )
    return form_modal(ids.THANKS_FORM, "Say thank you", blocks, "Send", {})


def thanks_subcommand(
    ack: Ack, args: str, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any
) -> None:
    """`/mentoring thanks @person what for` opens the form filled in, to confirm and send."""
    ack()
    mentioned = mentioned_users(args)
    client.views_open(
        trigger_id=command["trigger_id"],
        view=thanks_modal(
            services_of(context),
            mentioned[0] if mentioned else None,
            shorten(without_mentions(args), appreciation.MESSAGE_MAX),
        ),
    )


def open_thanks(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    recipient = str(action.get("value") or "") or None
    client.views_open(
        trigger_id=body["trigger_id"], view=thanks_modal(services_of(context), recipient, "")
    )


def submit_thanks(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    team_id = context.team_id or ""
    values = view["state"]["values"]
    to = view_state.user(values, ids.THANKS_TO)
    if not to:
        ack(response_action="errors", errors={ids.THANKS_TO: "Please pick a person."})
        return
    sender = people.ensure(services, team_id=team_id, user_id=context.user_id or "")
    recipient = people.ensure(services, team_id=team_id, user_id=to)
    try:
        thanked = appreciation.send(
            services,
            sender,
            team_id=team_id,
            recipient=recipient,
            message=view_state.text(values, ids.THANKS_MESSAGE),
            public="public" in view_state.choices(values, ids.THANKS_PUBLIC),
        )
    except FormErrors as invalid:
        ack(response_action="errors", errors={ids.THANKS_MESSAGE: invalid.errors["message"]})
        return
    except DomainError as problem:
        ack(response_action="errors", errors={ids.THANKS_TO: str(problem)})
        return
    note = (
        " They prefer not to be shouted out in public, so it stayed a DM."
        if thanked.opted_out
        else " I've posted the shout-out too."
        if thanked.shout_out
        else ""
    )
    ack(
        response_action="update",
        view=request_blocks.notice_view(
            "Thank you sent",
            prompts.render("thanks_sent", recipient=f"<@{thanked.recipient}>", public=note),
        ),
    )
    message = escape_mrkdwn(thanked.message)
    text = prompts.render("thanks_received", sender=f"<@{thanked.sender}>", message=message)
    announce.dm(
        client,
        services,
        team_id=team_id,
        user_id=thanked.recipient,
        kind="thanks",
        text="Someone says thank you.",
        blocks=notice(text),
    )
    channel = services.settings.mentorbot_shoutout_channel
    if thanked.shout_out and channel:
        shout = prompts.render(
            "shout_out",
            sender=f"<@{thanked.sender}>",
            recipient=f"<@{thanked.recipient}>",
            message=message,
        )
        client.chat_postMessage(channel=channel, text="A thank-you", blocks=notice(shout))
    home.refresh(client, services, team_id, [thanked.recipient])


def shoutouts_subcommand(ack: Ack, args: str, context: BoltContext, **_: Any) -> None:
    choice = args.strip().lower()
    if choice not in ("on", "off"):
        ack(text="Try `/mentoring shoutouts off` to stop public shout-outs about you, or `on`.")
        return
    appreciation.set_shoutouts(
        services_of(context),
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        allowed=choice == "on",
    )
    ack(text=prompts.render("shoutouts_on" if choice == "on" else "shoutouts_off"))


def register(app: App) -> None:
    app.action(ids.THANKS_OPEN)(open_thanks)
    app.view(ids.THANKS_FORM)(submit_thanks)
