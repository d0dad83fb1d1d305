"""Listeners for asking for a mentor or coach: `/mentor`, `/coach`, the modal and its buttons."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import people, requesting
from bot.errors import DomainError
from bot.forms import FormErrors, parse_request
from bot.services import Services
from bot.text import escape_mrkdwn
from bot.triage import Answers
from handlers import announce, ids, llm_followups, request_blocks, view_state, web
from handlers.directory import SlackDirectory
from handlers.replies import whisper
from storage.models import Kind

ASK_ACTION = re.compile(rf"^{ids.REQUEST_ASK}:\d+$")


def open_form(kind: Kind) -> Callable[..., None]:
    def open_request_form(
        ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        client.views_open(
            trigger_id=command["trigger_id"],
            view=request_blocks.request_form(kind, command.get("text", "")),
        )
        people.note_contact(
            context["services"],
            SlackDirectory(client),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
        )

    open_request_form.__name__ = f"open_{kind.value}_form"
    return open_request_form


def submit_form(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Validate, store and triage; the answer replaces the form in the same modal. With an LLM,
    its second opinion is asked for after the ack and added to the modal when it comes."""
    services: Services = context["services"]
    values = view["state"]["values"]
    user_id = context.user_id or ""
    try:
        form = parse_request(
            requester=user_id,
            need=view_state.text(values, ids.REQUEST_NEED),
            drivers=view_state.choices(values, ids.REQUEST_DRIVERS),
            goal_scope=view_state.choice(values, ids.REQUEST_SCOPE),
            format=view_state.choice(values, ids.REQUEST_FORMAT),
            time_commitment=view_state.choice(values, ids.REQUEST_TIME),
            manager=view_state.user(values, ids.REQUEST_MANAGER),
            summary=view_state.text(values, ids.REQUEST_SUMMARY),
        )
    except FormErrors as invalid:
        ack(
            response_action="errors",
            errors={ids.REQUEST_FIELDS[name]: text for name, text in invalid.errors.items()},
        )
        return
    kind = Kind(view_state.metadata(view).get("kind", Kind.MENTOR.value))
    requester = people.ensure(services, team_id=context.team_id or "", user_id=user_id)
    submitted = requesting.submit(
        services, requester, team_id=context.team_id or "", kind_asked=kind, form=form
    )
    ack(response_action="update", view=request_blocks.triage_view(submitted))
    llm_followups.second_opinion(
        client,
        services,
        team_id=context.team_id or "",
        view_id=str(view["id"]),
        submitted=submitted,
        answers=Answers(
            need=form.need, drivers=form.drivers, goal_scope=form.goal_scope, format=form.format
        ),
        answered=web.answered(context),
    )


def choose_kind(kind: Kind) -> Callable[..., None]:
    def choose(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        services: Services = context["services"]
        view = body["view"]
        request_id = view_state.number(action.get("value"))
        try:
            if request_id is None:
                raise DomainError("That button has expired: please start again with /mentor.")
            proposal = requesting.choose(
                services,
                team_id=context.team_id or "",
                user_id=context.user_id or "",
                request_id=request_id,
                kind=kind,
            )
        except DomainError as problem:
            _show_in_modal(client, view, str(problem))
            return
        candidates = request_blocks.candidates_view(proposal)
        try:
            shown = client.views_update(view_id=view["id"], hash=view.get("hash"), view=candidates)
        except SlackApiError as error:
            if error.response.get("error") != "hash_conflict":
                raise
            # The LLM's second opinion was added to the triage view after this click was sent;
            # the choice is made and stored, so show its candidates all the same.
            shown = client.views_update(view_id=view["id"], view=candidates)
        if proposal.queued:
            announce.queue(client, services, proposal.card)
        else:
            llm_followups.match_reasons(
                client,
                services,
                view_id=str(view["id"]),
                view_hash=str((shown.get("view") or {}).get("hash") or ""),
                proposal=proposal,
            )

    choose.__name__ = f"choose_{kind.value}"
    return choose


def ask_volunteer(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    services: Services = context["services"]
    request_id, _, person_id = str(action.get("value", "")).partition(":")
    try:
        invited = requesting.ask(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            request_id=view_state.number(request_id) or 0,
            volunteer_person_id=view_state.number(person_id) or 0,
        )
    except DomainError as problem:
        _tell(client, body, respond, str(problem))
        return
    announce.invitation(client, services, invited)
    if body.get("view"):
        client.views_update(view_id=body["view"]["id"], view=request_blocks.asked_view(invited))
    else:
        respond(
            replace_original=True,
            text="Request sent.",
            blocks=request_blocks.asked_message(invited),
        )


def cancel_request(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    services: Services = context["services"]
    try:
        withdrawn = requesting.cancel(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            request_id=view_state.number(action.get("value")) or 0,
        )
    except DomainError as problem:
        _tell(client, body, respond, str(problem))
        return
    for invitation in withdrawn:
        announce.withdrawn(client, invitation.slack_channel, invitation.slack_ts)
    done = "Your request is cancelled. Whenever you're ready, /mentor or /coach starts a new one."
    if body.get("view"):
        _show_in_modal(client, body["view"], done)
    else:
        respond(replace_original=True, text=done)


def _show_in_modal(client: WebClient, view: dict[str, Any], text: str) -> None:
    client.views_update(
        view_id=view["id"], view=request_blocks.notice_view("Mentorbot", escape_mrkdwn(text))
    )


def _tell(client: WebClient, body: dict[str, Any], respond: Respond, text: str) -> None:
    if body.get("view"):
        _show_in_modal(client, body["view"], text)
    else:
        whisper(respond, escape_mrkdwn(text))


def register(app: App) -> None:
    app.command("/mentor")(open_form(Kind.MENTOR))
    app.command("/coach")(open_form(Kind.COACH))
    app.view(ids.REQUEST_FORM)(submit_form)
    app.action(ids.REQUEST_CHOOSE_COACH)(choose_kind(Kind.COACH))
    app.action(ids.REQUEST_CHOOSE_MENTOR)(choose_kind(Kind.MENTOR))
    app.action(ASK_ACTION)(ask_volunteer)
    app.action(ids.REQUEST_CANCEL)(cancel_request)
