"""Listeners for the mentor's report: the form, and sharing it with the learners."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
)

import prompts
from bot import (
    mentor_reports,
    visibility,
)
from bot.errors import DomainError
from bot.forms import FormErrors
from bot.text import escape_mrkdwn, shorten
from handlers import announce, ids, llm_followups, request_blocks, view_state
from handlers.blocks import notice, section
from handlers.closure import deliver_records
from handlers.form_modal import form_modal, services_of
from handlers.replies import whisper

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
            services_of(context),
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
        return form_modal(ids.REPORT_FORM, "Report", blocks, "Save", metadata)

    opened = client.views_open(trigger_id=body["trigger_id"], view=report_modal(None))
    shown = opened.get("view") or {}
    # With an LLM, a first draft of "what was learned" fills the empty field once it comes.
    llm_followups.draft_learned(
        client,
        services_of(context),
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
            services_of(context),
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
            client, services_of(context), context.team_id or "", filed.relationship_id, updated=True
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
            services_of(context),
            team_id=context.team_id or "",
            user_id=learner,
            kind="mentor_report",
            text="Your mentor's report.",
            blocks=notice(text),
        )


def register(app: App) -> None:
    app.action(ids.REPORT_OPEN)(open_report)
    app.view(ids.REPORT_FORM)(submit_report)
