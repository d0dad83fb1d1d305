"""Listeners for ending a relationship: the end form, the news to each member, closing records."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    Option,
    RadioButtonsElement,
    StaticSelectElement,
)

import prompts
from bot import (
    closing_record,
    closure,
    overview,
)
from bot.errors import DomainError
from bot.services import Services
from bot.text import shorten
from handlers import announce, home, ids, view_state
from handlers.blocks import BlockDicts, render, section
from handlers.form_modal import form_modal, services_of

log = logging.getLogger("mentorbot.closure")
END_LABELS = {
    "goals_met": "The goals were met",
    "no_longer_needed": "It's no longer needed",
    "not_working": "It isn't working",
}


# -- ending ----------------------------------------------------------------------------------


def end_subcommand(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any
) -> None:
    mine = overview.for_person(
        services_of(context), team_id=context.team_id or "", user_id=context.user_id or ""
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
        view=form_modal(ids.END_FORM, "End a relationship", blocks, "End it", {}),
    )


def submit_end(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
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


def register(app: App) -> None:
    app.view(ids.END_FORM)(submit_end)
