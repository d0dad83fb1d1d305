"""Listeners for the volunteer pool: `/mentoring offer [pause|resume|withdraw]` and its modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import people, pool
from bot.commands import mentioned_users
from bot.errors import DomainError
from bot.forms import FormErrors, parse_offer
from bot.services import Services
from handlers import home, ids, pool_blocks, view_state
from handlers.blocks import notice
from handlers.directory import SlackDirectory


def offer_subcommand(
    ack: Ack, args: str, command: dict[str, Any], context: BoltContext, client: WebClient, **_: Any
) -> None:
    services: Services = context["services"]
    action = args.strip().lower()
    first = action.split(" ", 1)[0]
    if first in ("avoid", "allow"):
        ack(**avoid_or_allow(services, context, first, mentioned_users(args)))
        return
    if action in pool.STATUS_CHANGES:
        volunteer = people.ensure(
            services, team_id=context.team_id or "", user_id=context.user_id or ""
        )
        try:
            state = pool.change_status(
                services, volunteer, team_id=context.team_id or "", action=action
            )
        except DomainError as problem:
            ack(text=str(problem))
            return
        ack(text=pool_blocks.offer_summary(state), blocks=notice(pool_blocks.offer_summary(state)))
        return
    if action:
        ack(
            text="Try `/mentoring offer` to volunteer, `/mentoring offer pause`, `resume` or "
            "`withdraw`, or `/mentoring offer avoid @name` / `allow @name`."
        )
        return
    ack()
    open_offer_form(client, services, context, command["trigger_id"])


def avoid_or_allow(
    services: Services, context: BoltContext, action: str, user_ids: list[str]
) -> dict[str, Any]:
    """`offer avoid @a @b` / `offer allow @a`: the private list, as an ephemeral answer."""
    team_id = context.team_id or ""
    volunteer = people.ensure(services, team_id=team_id, user_id=context.user_id or "")
    change = pool.avoid if action == "avoid" else pool.allow
    try:
        listed = change(services, volunteer, team_id=team_id, user_ids=user_ids)
    except DomainError as problem:
        return {"text": str(problem)}
    text = pool_blocks.avoid_summary(listed)
    return {"text": text, "blocks": notice(text)}


def open_offer_form(
    client: WebClient, services: Services, context: BoltContext, trigger_id: str
) -> None:
    volunteer = people.note_contact(
        services,
        SlackDirectory(client),
        team_id=context.team_id or "",
        user_id=context.user_id or "",
    )
    current = pool.current(services, team_id=context.team_id or "", person_id=volunteer.id)
    avoided = pool.avoided(services, team_id=context.team_id or "", person_id=volunteer.id)
    client.views_open(trigger_id=trigger_id, view=pool_blocks.offer_form(current, avoided))


def offer_button(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    open_offer_form(client, context["services"], context, body["trigger_id"])


def submit_offer(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services: Services = context["services"]
    values = view["state"]["values"]
    try:
        form = parse_offer(
            roles=view_state.choices(values, ids.OFFER_ROLES),
            topics=view_state.text(values, ids.OFFER_TOPICS),
            style=view_state.choice(values, ids.OFFER_STYLE),
            formats=view_state.choices(values, ids.OFFER_FORMATS),
            capacity=view_state.text(values, ids.OFFER_CAPACITY),
            availability=view_state.text(values, ids.OFFER_AVAILABILITY),
        )
    except FormErrors as invalid:
        ack(
            response_action="errors",
            errors={ids.OFFER_FIELDS[name]: text for name, text in invalid.errors.items()},
        )
        return
    volunteer = people.ensure(
        services, team_id=context.team_id or "", user_id=context.user_id or ""
    )
    state = pool.save(services, volunteer, team_id=context.team_id or "", form=form)
    ack(response_action="update", view=pool_blocks.offer_saved(state))
    home.refresh(client, services, context.team_id or "", [context.user_id or ""])


def register(app: App) -> None:
    app.view(ids.OFFER_FORM)(submit_offer)
    app.action("me_offer")(offer_button)
