"""Listeners for the buttons on the clock's messages, reflections, and muting."""

from __future__ import annotations

import json
import uuid
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

import prompts
from bot import checkpoints, dm_gate, nudge_plan, overview, people, reflections, visibility
from bot.errors import DomainError
from bot.forms import FormErrors
from bot.services import Services
from bot.text import escape_mrkdwn
from handlers import (
    agreement_blocks,
    announce,
    home,
    ids,
    llm_followups,
    request_blocks,
    view_state,
)
from handlers.blocks import render, section
from handlers.replies import settle, whisper

PROGRESS_LABELS = {"on_track": "on track", "behind": "behind", "blocked": "blocked"}
ASSESS_ACTIONS = {
    ids.ASSESS_ON_TRACK: "on_track",
    ids.ASSESS_BEHIND: "behind",
    ids.ASSESS_BLOCKED: "blocked",
}


def _services(context: BoltContext) -> Services:
    services: Services = context["services"]
    return services


def done(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    try:
        checkpoints.mark_done(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            checkpoint_id=view_state.number(action.get("value")) or 0,
        )
    except DomainError as problem:
        whisper(respond, escape_mrkdwn(str(problem)))
        return
    settle(respond, action, "Marked as done. Nice work!")


def reschedule(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    ack()
    checkpoint_id = view_state.number(action.get("value")) or 0
    client.views_open(
        trigger_id=body["trigger_id"],
        view=agreement_blocks.checkpoint_modal(0, checkpoint_id, None),
    )


def snooze(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    try:
        again = nudge_plan.plan_snooze(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            checkpoint_id=view_state.number(action.get("value")) or 0,
        )
    except DomainError as problem:
        whisper(respond, escape_mrkdwn(str(problem)))
        return
    stamp = int(again.timestamp())
    when = f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{again:%d %b %H:%M} UTC>"
    whisper(respond, prompts.render("snoozed", when=when))


def assess(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    progress = ASSESS_ACTIONS[action["action_id"]]
    checkpoint_id = view_state.number(action.get("value")) or 0
    try:
        checkpoints.assess(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            checkpoint_id=checkpoint_id,
            progress=progress,
        )
    except DomainError as problem:
        whisper(respond, escape_mrkdwn(str(problem)))
        return
    blocks: list[Block] = [
        section(prompts.render("assess_thanks", progress=PROGRESS_LABELS[progress])),
        ActionsBlock(
            block_id="assess_more",
            elements=[
                ButtonElement(
                    text="Add a note", action_id=ids.ASSESS_NOTE, value=str(checkpoint_id)
                ),
            ],
        ),
    ]
    settle(respond, action, "Thanks, noted.", render(blocks))


def open_note(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    ack()
    view = View(
        type="modal",
        callback_id=ids.ASSESS_NOTE_FORM,
        title="A one-line note",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"checkpoint_id": action.get("value")}),
        blocks=[
            InputBlock(
                block_id=ids.ASSESS_NOTE_TEXT,
                label="Anything to add?",
                element=PlainTextInputElement(
                    action_id=ids.ASSESS_NOTE_TEXT, max_length=checkpoints.NOTE_MAX
                ),
            )
        ],
    )
    client.views_open(trigger_id=body["trigger_id"], view=view.to_dict())


def submit_note(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    checkpoint_id = view_state.number(view_state.metadata(view).get("checkpoint_id")) or 0
    try:
        checkpoints.add_note(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            checkpoint_id=checkpoint_id,
            note=view_state.text(view["state"]["values"], ids.ASSESS_NOTE_TEXT),
        )
    except FormErrors as invalid:
        ack(response_action="errors", errors={ids.ASSESS_NOTE_TEXT: invalid.errors["note"]})
        return
    except DomainError as problem:
        ack(response_action="errors", errors={ids.ASSESS_NOTE_TEXT: str(problem)})
        return
    ack()


def reflection_modal(
    services: Services,
    context: BoltContext,
    relationship_id: int,
    checkpoint_id: int,
    *,
    question: str | None = None,
    external_id: str | None = None,
) -> dict[str, Any]:
    """The reflection form with the rotating question. With an LLM, the modal gets an
    external_id and a question tailored to the plan's goals replaces the rotating one once the
    model answers (after the caller's views.open: opening is never delayed)."""
    tailored = question is not None
    if question is None:
        question = reflections.question(
            services, team_id=context.team_id or "", user_id=context.user_id or ""
        )
    choices = _relationship_options(services, context) if not relationship_id else []
    if not tailored and services.llm.enabled:
        external_id = f"reflect-{uuid.uuid4().hex}"
        about = relationship_id or (
            view_state.number(choices[0].value) if len(choices) == 1 else None
        )
        llm_followups.tailor_reflection(
            context.client,
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            external_id=external_id,
            relationship_id=about,
            fallback=question,
            rebuild=lambda better: reflection_modal(
                services,
                context,
                relationship_id,
                checkpoint_id,
                question=better,
                external_id=external_id,
            ),
        )
    blocks: list[Block] = [
        section(prompts.render("reflection_intro", question=f"_{escape_mrkdwn(question)}_"))
    ]
    if choices:
        blocks.append(
            InputBlock(
                block_id=ids.REFLECT_RELATIONSHIP,
                label="Which relationship?",
                element=StaticSelectElement(
                    action_id=ids.REFLECT_RELATIONSHIP, options=choices, initial_option=choices[0]
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id=ids.REFLECT_LEARNED,
            label="What I learned or tried",
            element=PlainTextInputElement(
                action_id=ids.REFLECT_LEARNED, multiline=True, max_length=reflections.LEARNED_MAX
            ),
        ),
        InputBlock(
            block_id=ids.REFLECT_NEXT,
            label="What I will do next",
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.REFLECT_NEXT, max_length=reflections.NEXT_MAX
            ),
        ),
        InputBlock(
            block_id=ids.REFLECT_USEFUL,
            label="How useful was the last session?",
            optional=True,
            element=StaticSelectElement(
                action_id=ids.REFLECT_USEFUL,
                placeholder="1 to 5",
                options=[Option(value=str(n), label=str(n)) for n in range(1, 6)],
            ),
        ),
        InputBlock(
            block_id=ids.REFLECT_SHARING,
            label="Sharing",
            optional=True,
            element=CheckboxesElement(
                action_id=ids.REFLECT_SHARING,
                options=[
                    Option(value="partner", label="Share this reflection with my partner"),
                    Option(value="reports", label="Count my 1-5 rating in program reports"),
                ],
            ),
        ),
    ]
    view = View(
        type="modal",
        callback_id=ids.REFLECT_FORM,
        title="Reflect",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps(
            {"relationship_id": relationship_id, "checkpoint_id": checkpoint_id}
        ),
        blocks=blocks,
        external_id=external_id,
    )
    return view.to_dict()


def _relationship_options(services: Services, context: BoltContext) -> list[Option]:
    mine = overview.for_person(
        services, team_id=context.team_id or "", user_id=context.user_id or ""
    )
    options = []
    for line in mine.relationships:
        names = ", ".join(line.partner_names) or "your group"
        options.append(
            Option(
                value=str(line.relationship_id),
                label=f"{line.kind.replace('_', ' ')} with {names}"[:75],
            )
        )
    return options


def open_reflection(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    relationship, _, checkpoint = str(action.get("value", "")).partition(":")
    client.views_open(
        trigger_id=body["trigger_id"],
        view=reflection_modal(
            _services(context),
            context,
            view_state.number(relationship) or 0,
            view_state.number(checkpoint) or 0,
        ),
    )


def reflect_subcommand(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any
) -> None:
    ack()
    client.views_open(
        trigger_id=command["trigger_id"], view=reflection_modal(_services(context), context, 0, 0)
    )


def submit_reflection(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    values = view["state"]["values"]
    meta = view_state.metadata(view)
    relationship_id = view_state.number(meta.get("relationship_id")) or view_state.number(
        view_state.choice(values, ids.REFLECT_RELATIONSHIP)
    )
    sharing = set(view_state.choices(values, ids.REFLECT_SHARING))
    fields = {
        "learned": ids.REFLECT_LEARNED,
        "next_step": ids.REFLECT_NEXT,
        "usefulness": ids.REFLECT_USEFUL,
    }
    try:
        saved = reflections.save(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=relationship_id,
            checkpoint_id=view_state.number(meta.get("checkpoint_id")),
            learned=view_state.text(values, ids.REFLECT_LEARNED),
            next_step=view_state.text(values, ids.REFLECT_NEXT),
            usefulness=view_state.choice(values, ids.REFLECT_USEFUL),
            share_with_partner="partner" in sharing,
            count_in_reports="reports" in sharing,
        )
    except FormErrors as invalid:
        ack(
            response_action="errors",
            errors={fields[name]: text for name, text in invalid.errors.items()},
        )
        return
    except DomainError as problem:
        ack(response_action="errors", errors={ids.REFLECT_LEARNED: str(problem)})
        return
    shared = (
        " and shared with " + ", ".join(f"<@{p}>" for p in saved.shared_with)
        if saved.shared_with
        else ""
    )
    ack(
        response_action="update",
        view=request_blocks.notice_view(
            "Reflection saved", prompts.render("reflection_saved", shared=shared)
        ),
    )
    learned = escape_mrkdwn(view_state.text(values, ids.REFLECT_LEARNED) or "")
    if saved.shared_with:
        visibility.place("shared_reflection")
    for partner in saved.shared_with:
        text = prompts.render("reflection_shared", author=f"<@{context.user_id}>", text=learned)
        announce.dm(
            client,
            _services(context),
            team_id=context.team_id or "",
            user_id=partner,
            kind="shared_reflection",
            text="A reflection was shared with you.",
            blocks=render([section(text)]),
        )
    home.refresh(client, _services(context), context.team_id or "", [context.user_id or ""])


def mute_subcommand(ack: Ack, context: BoltContext, **_: Any) -> None:
    people.set_muted(
        _services(context), team_id=context.team_id or "", user_id=context.user_id or "", muted=True
    )
    ack(text=prompts.render("muted"))


def unmute_subcommand(ack: Ack, context: BoltContext, **_: Any) -> None:
    people.set_muted(
        _services(context),
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        muted=False,
    )
    ack(text=prompts.render("unmuted"))


def pause_subcommand(ack: Ack, args: str, context: BoltContext, **_: Any) -> None:
    """`/mentoring pause [weeks]`: no DMs the bot starts, for that many weeks (default 2)."""
    try:
        weeks = dm_gate.parse_weeks(args)
    except dm_gate.BadPause as problem:
        ack(text=str(problem))
        return
    until = dm_gate.pause(
        _services(context),
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        weeks=weeks,
    )
    stamp = int(until.timestamp())
    when = f"<!date^{stamp}^{{date_long_pretty}}|{until:%d %b %Y}>"
    ack(text=prompts.render("paused", until=when))


def resume_subcommand(ack: Ack, context: BoltContext, **_: Any) -> None:
    """`/mentoring resume`: end a pause, or the stop after ignored nudges, now."""
    was = dm_gate.resume(
        _services(context), team_id=context.team_id or "", user_id=context.user_id or ""
    )
    ack(text=prompts.render("resumed" if was else "resume_nothing"))


def register(app: App) -> None:
    app.action(ids.NUDGE_DONE)(done)
    app.action(ids.NUDGE_RESCHEDULE)(reschedule)
    app.action(ids.NUDGE_SNOOZE)(snooze)
    for action_id in ASSESS_ACTIONS:
        app.action(action_id)(assess)
    app.action(ids.ASSESS_NOTE)(open_note)
    app.view(ids.ASSESS_NOTE_FORM)(submit_note)
    app.action(ids.REFLECT_OPEN)(open_reflection)
    app.view(ids.REFLECT_FORM)(submit_reflection)
