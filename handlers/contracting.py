"""Listeners for the contracting conversation and for changing checkpoints."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import prompts
from bot import agreement_terms, checkpoints, contracting, groups, people, visibility
from bot.commands import mentioned_users, without_mentions
from bot.contracting import Draft
from bot.errors import DomainError
from bot.forms import FormErrors
from bot.services import Services
from bot.text import escape_mrkdwn
from handlers import agreement_blocks, home, ids, llm_followups, request_blocks, view_state
from handlers.blocks import notice
from handlers.directory import SlackDirectory
from handlers.replies import whisper

log = logging.getLogger("mentorbot.contracting")


def kickoff(client: WebClient, services: Services, *, team_id: str, relationship_id: int) -> None:
    """Open a group conversation with everyone in the relationship and invite them to start."""
    draft = contracting.kickoff(services, team_id=team_id, relationship_id=relationship_id)
    users = ",".join(p.slack_user_id for p in draft.parties)
    opened = client.conversations_open(users=users)
    channel = str(opened["channel"]["id"])
    contracting.remember_channel(
        services, team_id=team_id, relationship_id=relationship_id, channel_id=channel
    )
    client.chat_postMessage(
        channel=channel,
        text="Let's agree how you'll work together.",
        blocks=agreement_blocks.kickoff_message(draft),
    )


def start(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    relationship_id = view_state.number(action.get("value")) or 0
    try:
        draft = contracting.view(
            context["services"],
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=relationship_id,
        )
    except DomainError as problem:
        whisper(respond, str(problem))
        return
    step = draft.next_step or agreement_terms.steps_for(draft.kind)[0].name
    client.views_open(
        trigger_id=body["trigger_id"],
        view=agreement_blocks.step_modal(draft, step, viewer=context.user_id or ""),
    )


def submit_step(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services: Services = context["services"]
    meta = view_state.metadata(view)
    step = str(meta.get("step", ""))
    relationship_id = view_state.number(meta.get("relationship_id")) or 0
    raw = _raw_values(step, view["state"]["values"])
    try:
        draft = contracting.save_step(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=relationship_id,
            step=step,
            raw=raw,
        )
    except FormErrors as invalid:
        ack(
            response_action="errors",
            errors={f"{step}.{name}": text for name, text in invalid.errors.items()},
        )
        return
    except DomainError as problem:
        ack(
            response_action="update",
            view=request_blocks.notice_view("Agreement", escape_mrkdwn(str(problem))),
        )
        return
    if draft.next_step is not None:
        ack(
            response_action="update",
            view=agreement_blocks.step_modal(draft, draft.next_step, viewer=context.user_id or ""),
        )
    else:
        ack(
            response_action="update",
            view=request_blocks.notice_view("Agreement", prompts.render("contract_complete")),
        )
    if draft.status == "proposed" and draft.next_step is None:
        post_summary(client, services, context.team_id or "", draft)


def post_summary(client: WebClient, services: Services, team_id: str, draft: Draft) -> None:
    visibility.place("agreement_summary")
    """Post the summary for everyone to confirm, retiring the buttons of an older summary."""
    if draft.channel_id is None or draft.agreement_id is None:
        return
    posted = client.chat_postMessage(
        channel=draft.channel_id,
        text=f"Our agreement (version {draft.version})",
        blocks=agreement_blocks.summary_message(draft),
    )
    previous = contracting.remember_summary(
        services,
        team_id=team_id,
        agreement_id=draft.agreement_id,
        channel=draft.channel_id,
        ts=str(posted["ts"]),
    )
    if previous is not None:
        _retire(client, *previous)
    llm_followups.friendly_summary(
        client,
        services,
        team_id=team_id,
        draft=draft,
        channel=draft.channel_id,
        ts=str(posted["ts"]),
    )


def _retire(client: WebClient, channel: str, ts: str) -> None:
    text = "This summary was changed: the newest one is below."
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=notice(text))
    except SlackApiError as error:
        log.warning("could not retire an old summary: %s", error.response.get("error"))


def confirm(
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
        outcome = contracting.confirm(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            agreement_id=view_state.number(action.get("value")) or 0,
        )
    except DomainError as problem:
        whisper(respond, escape_mrkdwn(str(problem)))
        return
    channel = body.get("channel", {}).get("id")
    ts = body.get("message", {}).get("ts")
    if channel and ts:
        try:
            client.chat_update(
                channel=channel,
                ts=ts,
                text="Our agreement",
                blocks=agreement_blocks.summary_message(
                    outcome.draft, friendly=agreement_blocks.kept_friendly(body.get("message"))
                ),
            )
        except SlackApiError as error:
            log.warning("could not update the summary: %s", error.response.get("error"))
    if outcome.activated:
        home.refresh(
            client,
            services,
            context.team_id or "",
            [p.slack_user_id for p in outcome.draft.parties],
        )
    if outcome.activated and outcome.draft.channel_id:
        client.chat_postMessage(
            channel=outcome.draft.channel_id,
            text="Your agreement is active.",
            blocks=agreement_blocks.activated_message(outcome.draft, outcome.checkpoints),
        )


def open_change(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    try:
        draft = contracting.view(
            context["services"],
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=view_state.number(action.get("value")) or 0,
        )
    except DomainError as problem:
        whisper(respond, str(problem))
        return
    client.views_open(trigger_id=body["trigger_id"], view=agreement_blocks.edit_chooser(draft))


def choose_step(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    step = view_state.choice(view["state"]["values"], ids.AGREEMENT_STEP_PICK)
    relationship_id = view_state.number(view_state.metadata(view).get("relationship_id")) or 0
    try:
        draft = contracting.view(
            context["services"],
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=relationship_id,
        )
    except DomainError as problem:
        ack(response_action="errors", errors={ids.AGREEMENT_STEP_PICK: str(problem)})
        return
    names = [s.name for s in agreement_terms.steps_for(draft.kind)]
    if step not in names:
        ack(response_action="errors", errors={ids.AGREEMENT_STEP_PICK: "Please choose a part."})
        return
    ack(
        response_action="update",
        view=agreement_blocks.step_modal(draft, step, viewer=context.user_id or ""),
    )


def group_subcommand(
    ack: Ack, args: str, context: BoltContext, client: WebClient, **_: Any
) -> None:
    """`/mentoring group <topic> @learner …`: a coach starts one agreement with a cohort."""
    services: Services = context["services"]
    team_id = context.team_id or ""
    coach = people.ensure(services, team_id=team_id, user_id=context.user_id or "")
    learners = [
        people.ensure(services, team_id=team_id, user_id=user) for user in mentioned_users(args)
    ]
    try:
        relationship_id = groups.start(
            services, team_id=team_id, coach=coach, learners=learners, topic=without_mentions(args)
        )
    except DomainError as problem:
        ack(text=str(problem))
        return
    ack(text=prompts.render("group_started", count=len(learners)))
    for learner in learners:
        people.note_contact(
            services, SlackDirectory(client), team_id=team_id, user_id=learner.slack_user_id
        )
    kickoff(client, services, team_id=team_id, relationship_id=relationship_id)


def plan_subcommand(ack: Ack, context: BoltContext, **_: Any) -> None:
    services: Services = context["services"]
    mine = checkpoints.plans_for(
        services, team_id=context.team_id or "", user_id=context.user_id or ""
    )
    ack(
        text="Your agreements and checkpoints.",
        blocks=agreement_blocks.plan_overview([(d, c) for d, c in mine]),
    )


def checkpoint_menu(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    services: Services = context["services"]
    choice, _, raw_id = str(action.get("selected_option", {}).get("value", "")).partition(":")
    checkpoint_id = view_state.number(raw_id) or 0
    if choice == "move":
        client.views_open(
            trigger_id=body["trigger_id"],
            view=agreement_blocks.checkpoint_modal(0, checkpoint_id, None),
        )
        return
    try:
        removed = checkpoints.remove(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            checkpoint_id=checkpoint_id,
        )
    except DomainError as problem:
        whisper(respond, str(problem))
        return
    whisper(respond, f"Removed: {escape_mrkdwn(removed.title)}.")


def open_add_checkpoint(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    ack()
    relationship_id = view_state.number(action.get("value")) or 0
    client.views_open(
        trigger_id=body["trigger_id"],
        view=agreement_blocks.checkpoint_modal(relationship_id, None, None),
    )


def submit_checkpoint(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    services: Services = context["services"]
    meta = view_state.metadata(view)
    values = view["state"]["values"]
    day = view_state.date(values, ids.CHECKPOINT_DAY)
    try:
        if meta.get("checkpoint_id"):
            saved = checkpoints.move(
                services,
                team_id=context.team_id or "",
                user_id=context.user_id or "",
                checkpoint_id=view_state.number(meta["checkpoint_id"]) or 0,
                day=day,
            )
        else:
            saved = checkpoints.add(
                services,
                team_id=context.team_id or "",
                user_id=context.user_id or "",
                relationship_id=view_state.number(meta.get("relationship_id")) or 0,
                day=day,
                title=view_state.text(values, ids.CHECKPOINT_TITLE),
            )
    except FormErrors as invalid:
        ack(response_action="errors", errors={ids.CHECKPOINT_DAY: invalid.errors["day"]})
        return
    except DomainError as problem:
        ack(response_action="errors", errors={ids.CHECKPOINT_DAY: str(problem)})
        return
    stamp = int(saved.due_at.timestamp())
    text = (
        f"Saved: {escape_mrkdwn(saved.title)} on <!date^{stamp}^{{date_long}} at {{time}}|"
        f"{saved.due_at:%d %b %Y %H:%M} UTC>."
    )
    ack(response_action="update", view=request_blocks.notice_view("Checkpoint", text))


def _raw_values(step: str, values: dict[str, Any]) -> dict[str, Any]:
    """One step's answers by field name, from the `step.field` block ids of its modal."""
    spec = agreement_terms.STEP_BY_NAME.get(step)
    if spec is None:
        return {}
    raw: dict[str, Any] = {}
    for field in spec.fields:
        key = f"{step}.{field.name}"
        if field.kind in ("text", "long_text"):
            raw[field.name] = view_state.text(values, key)
        elif field.kind == "choice":
            raw[field.name] = view_state.choice(values, key)
        elif field.kind == "choices":
            raw[field.name] = view_state.choices(values, key)
        elif field.kind == "users":
            raw[field.name] = view_state.users(values, key)
        else:
            raw[field.name] = view_state.date(values, key)
    return raw


def register(app: App) -> None:
    app.action(ids.AGREEMENT_START)(start)
    app.view(ids.AGREEMENT_STEP)(submit_step)
    app.action(ids.AGREEMENT_CONFIRM)(confirm)
    app.action(ids.AGREEMENT_EDIT)(open_change)
    app.view(ids.AGREEMENT_CHOOSE_STEP)(choose_step)
    app.action(ids.CHECKPOINT_MENU)(checkpoint_menu)
    app.action(ids.CHECKPOINT_ADD)(open_add_checkpoint)
    app.view(ids.CHECKPOINT_FORM)(submit_checkpoint)
