"""Listeners for thanks, shout-outs, ending a relationship, and the mentor's report."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

import prompts
from bot import (
    appreciation,
    closing_record,
    closure,
    mentor_reports,
    overview,
    people,
    visibility,
)
from bot.commands import mentioned_users, without_mentions
from bot.errors import DomainError
from bot.forms import FormErrors
from bot.services import Services
from bot.text import escape_mrkdwn, shorten
from handlers import announce, home, ids, llm_followups, request_blocks, view_state
from handlers.blocks import BlockDicts, notice, render, section
from handlers.replies import whisper

log = logging.getLogger("mentorbot.closure")
END_LABELS = {
    "goals_met": "The goals were met",
    "no_longer_needed": "It's no longer needed",
    "not_working": "It isn't working",
}


def _services(context: BoltContext) -> Services:
    services: Services = context["services"]
    return services


def _modal(
    callback_id: str, title: str, blocks: list[Block], submit: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    ).to_dict()


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
    return _modal(ids.THANKS_FORM, "Say thank you", blocks, "Send", {})


def thanks_subcommand(
    ack: Ack, args: str, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any
) -> None:
    """`/mentoring thanks @person what for` opens the form filled in, to confirm and send."""
    ack()
    mentioned = mentioned_users(args)
    client.views_open(
        trigger_id=command["trigger_id"],
        view=thanks_modal(
            _services(context),
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
        trigger_id=body["trigger_id"], view=thanks_modal(_services(context), recipient, "")
    )


def submit_thanks(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = _services(context)
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
        _services(context),
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        allowed=choice == "on",
    )
    ack(text=prompts.render("shoutouts_on" if choice == "on" else "shoutouts_off"))


# -- ending ----------------------------------------------------------------------------------


def end_subcommand(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any
) -> None:
    mine = overview.for_person(
        _services(context), team_id=context.team_id or "", user_id=context.user_id or ""
    )
    if not mine.relationships:
        ack(text="You have no active relationship to end.")
        return
    ack()
    options = [
        Option(
            value=str(line.relationship_id),
            label=shorten(
                f"{line.kind.replace('_', ' ')} with "
                f"{', '.join(line.partner_names) or 'your group'}",
                75,
            ),
        )
        for line in mine.relationships[:100]
    ]
    blocks: list[Block] = [
        section(prompts.render("end_intro")),
        InputBlock(
            block_id=ids.END_RELATIONSHIP,
            label="Which relationship?",
            element=StaticSelectElement(
                action_id=ids.END_RELATIONSHIP, options=options, initial_option=options[0]
            ),
        ),
        InputBlock(
            block_id=ids.END_REASON,
            label="Why is it ending?",
            element=RadioButtonsElement(
                action_id=ids.END_REASON,
                options=[Option(value=k, label=v) for k, v in END_LABELS.items()],
            ),
        ),
    ]
    client.views_open(
        trigger_id=command["trigger_id"],
        view=_modal(ids.END_FORM, "End a relationship", blocks, "End it", {}),
    )


def submit_end(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = _services(context)
    values = view["state"]["values"]
    try:
        ended = closure.end(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=view_state.number(view_state.choice(values, ids.END_RELATIONSHIP)) or 0,
            reason=view_state.choice(values, ids.END_REASON),
        )
    except DomainError as problem:
        ack(response_action="errors", errors={ids.END_REASON: str(problem)})
        return
    ack(response_action="clear")
    tell_ended(client, services, context.team_id or "", ended)


def tell_ended(client: WebClient, services: Services, team_id: str, ended: closure.Ended) -> None:
    """Tell everyone in a closed relationship, ask for what closure needs, and hand each
    learner their closing record. Someone who left the program is not asked for anything."""
    kind = ended.kind.replace("_", " ")
    if ended.reason == closure.LEFT_PROGRAM:
        told = prompts.render("ended_left", kind=kind, by=f"<@{ended.closed_by}>")
    else:
        told = prompts.render(
            "ended", kind=kind, by=f"<@{ended.closed_by}>", reason=closure.REASONS[ended.reason]
        )
    left = ended.closed_by if ended.reason == closure.LEFT_PROGRAM else None
    reflect = ButtonElement(
        text="Add a final reflection",
        action_id=ids.REFLECT_OPEN,
        value=f"{ended.relationship_id}:0",
    )
    for learner in ended.learners:
        if learner == left:
            continue
        _ended_dm(
            client,
            services,
            team_id,
            ended.closed_by,
            learner,
            render(
                [
                    section(f"{told}\n{prompts.render('ended_learner')}"),
                    ActionsBlock(
                        block_id="ended_actions",
                        elements=[
                            reflect,
                            ButtonElement(
                                text="Send thanks", action_id=ids.THANKS_OPEN, value=ended.guide
                            ),
                        ],
                    ),
                ]
            ),
        )
    if ended.guide != left:
        _ended_dm(
            client,
            services,
            team_id,
            ended.closed_by,
            ended.guide,
            render(
                [
                    section(f"{told}\n{prompts.render('ended_guide')}"),
                    ActionsBlock(
                        block_id="ended_actions",
                        elements=[
                            reflect,
                            ButtonElement(
                                text="Write the final report",
                                action_id=ids.REPORT_OPEN,
                                value=f"{ended.relationship_id}:final",
                                style="primary",
                            ),
                        ],
                    ),
                ]
            ),
        )
    deliver_records(client, services, team_id, ended.relationship_id, updated=False)
    home.refresh(client, services, team_id, [ended.guide, *ended.learners])


def deliver_records(
    client: WebClient, services: Services, team_id: str, relationship_id: int, *, updated: bool
) -> None:
    """Upload each learner's closing record to their DM, a Markdown file to keep."""
    for learner, record in closing_record.gather(
        services, team_id=team_id, relationship_id=relationship_id
    ):
        try:
            opened = client.conversations_open(users=learner)
            client.files_upload_v2(
                channel=str(opened["channel"]["id"]),
                filename=closing_record.filename(record),
                content=closing_record.render(record),
                title=f"Your {closing_record.KIND_WORDS.get(record.kind, 'mentoring')} record",
                initial_comment=prompts.render(
                    "closing_record_updated" if updated else "closing_record_ready"
                ),
            )
        except SlackApiError as error:
            log.warning("closing record upload failed: %s", error.response.get("error"))


def _ended_dm(
    client: WebClient,
    services: Services,
    team_id: str,
    closed_by: str,
    user_id: str,
    blocks: BlockDicts,
) -> None:
    """The one who ended it asked for this message; the others did not (the budget counts it)."""
    text = "Your relationship has ended."
    if user_id == closed_by:
        announce.reply_dm(client, user_id, text, blocks)
        return
    announce.dm(
        client,
        services,
        team_id=team_id,
        user_id=user_id,
        kind="relationship_ended",
        text=text,
        blocks=blocks,
    )


# -- the mentor's report ---------------------------------------------------------------------


def open_report(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    relationship, _, occasion = str(action.get("value", "")).partition(":")
    try:
        draft = mentor_reports.draft(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=view_state.number(relationship) or 0,
            occasion=occasion,
        )
    except DomainError as problem:
        whisper(respond, str(problem))
        return
    metadata = {
        "relationship_id": draft.relationship_id,
        "occasion": draft.occasion,
        "goals": list(draft.goals[:10]),
    }

    def report_modal(learned: str | None) -> dict[str, Any]:
        blocks: list[Block] = [section(prompts.render("report_intro"))]
        if draft.goals:
            blocks.append(
                InputBlock(
                    block_id=ids.REPORT_GOALS,
                    label="Goals reached",
                    optional=True,
                    element=CheckboxesElement(
                        action_id=ids.REPORT_GOALS,
                        options=[
                            Option(value=str(n), label=shorten(goal, 75))
                            for n, goal in enumerate(draft.goals[:10])
                        ],
                    ),
                )
            )
        blocks += [
            InputBlock(
                block_id=ids.REPORT_PROGRESS,
                label="Progress against checkpoints",
                element=PlainTextInputElement(
                    action_id=ids.REPORT_PROGRESS,
                    multiline=True,
                    max_length=mentor_reports.TEXT_MAX,
                    initial_value=draft.progress,
                ),
            ),
            InputBlock(
                block_id=ids.REPORT_LEARNED,
                label="What was learned",
                hint="A first draft to correct: check it says what you saw." if learned else None,
                element=PlainTextInputElement(
                    action_id=ids.REPORT_LEARNED,
                    multiline=True,
                    max_length=mentor_reports.TEXT_MAX,
                    initial_value=shorten(learned, mentor_reports.TEXT_MAX) if learned else None,
                ),
            ),
            InputBlock(
                block_id=ids.REPORT_RECOMMENDATIONS,
                label="Recommendations",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ids.REPORT_RECOMMENDATIONS,
                    multiline=True,
                    max_length=mentor_reports.TEXT_MAX,
                ),
            ),
            InputBlock(
                block_id=ids.REPORT_SHARE,
                label="Who reads it",
                optional=True,
                hint="Left unticked, only the program coordinators read it.",
                element=CheckboxesElement(
                    action_id=ids.REPORT_SHARE,
                    options=[Option(value="learners", label="Share with my protégé")],
                ),
            ),
        ]
        return _modal(ids.REPORT_FORM, "Report", blocks, "Save", metadata)

    opened = client.views_open(trigger_id=body["trigger_id"], view=report_modal(None))
    shown = opened.get("view") or {}
    # With an LLM, a first draft of "what was learned" fills the empty field once it comes.
    llm_followups.draft_learned(
        client,
        _services(context),
        team_id=context.team_id or "",
        view_id=str(shown.get("id") or ""),
        view_hash=str(shown.get("hash") or ""),
        relationship_id=draft.relationship_id,
        goals=draft.goals,
        progress=draft.progress,
        rebuild=report_modal,
    )


def submit_report(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    meta = view_state.metadata(view)
    values = view["state"]["values"]
    goals = [str(g) for g in meta.get("goals", [])]
    picked = [
        goals[int(i)]
        for i in view_state.choices(values, ids.REPORT_GOALS)
        if i.isdigit() and int(i) < len(goals)
    ]
    fields = {
        "progress": ids.REPORT_PROGRESS,
        "learned": ids.REPORT_LEARNED,
        "recommendations": ids.REPORT_RECOMMENDATIONS,
    }
    try:
        filed = mentor_reports.submit(
            _services(context),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            relationship_id=view_state.number(meta.get("relationship_id")) or 0,
            occasion=str(meta.get("occasion", "final")),
            goals_reached=picked,
            progress=view_state.text(values, ids.REPORT_PROGRESS),
            learned=view_state.text(values, ids.REPORT_LEARNED),
            recommendations=view_state.text(values, ids.REPORT_RECOMMENDATIONS),
            share_with_learners="learners" in view_state.choices(values, ids.REPORT_SHARE),
        )
    except FormErrors as invalid:
        ack(
            response_action="errors",
            errors={fields[name]: text for name, text in invalid.errors.items()},
        )
        return
    except DomainError as problem:
        ack(response_action="errors", errors={ids.REPORT_LEARNED: str(problem)})
        return
    learners = ", ".join(f"<@{u}>" for u in filed.learners)
    readers = f"{learners} and the program coordinators" if filed.shared else "The coordinators"
    ack(
        response_action="update",
        view=request_blocks.notice_view(
            "Report saved", prompts.render("report_filed", readers=readers)
        ),
    )
    if not filed.shared:
        return
    visibility.place("report_for_learner")
    if filed.closed:
        deliver_records(
            client, _services(context), context.team_id or "", filed.relationship_id, updated=True
        )
    text = prompts.render(
        "report_for_learner",
        guide=f"<@{filed.guide}>",
        goals=escape_mrkdwn(", ".join(filed.goals_reached) or "none marked"),
        progress=escape_mrkdwn(shorten(filed.progress, 600)),
        learned=escape_mrkdwn(shorten(filed.learned, 800)),
        recommendations=escape_mrkdwn(shorten(filed.recommendations, 600)) or "none",
    )
    for learner in filed.learners:
        announce.dm(
            client,
            _services(context),
            team_id=context.team_id or "",
            user_id=learner,
            kind="mentor_report",
            text="Your mentor's report.",
            blocks=notice(text),
        )


def register(app: App) -> None:
    app.action(ids.THANKS_OPEN)(open_thanks)
    app.view(ids.THANKS_FORM)(submit_thanks)
    app.view(ids.END_FORM)(submit_end)
    app.action(ids.REPORT_OPEN)(open_report)
    app.view(ids.REPORT_FORM)(submit_report)
