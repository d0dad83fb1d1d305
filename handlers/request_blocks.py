"""Block Kit for asking for a mentor or coach: the form, the triage, the candidates, the answers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

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
from bot.consent import Accepted, Passed
from bot.forms import NEED_MAX, SUMMARY_MAX, TIME_LABELS
from bot.matching import Candidate
from bot.requesting import Invited, Proposal, RequestCard, Submitted
from bot.text import escape_mrkdwn, shorten
from bot.triage import Driver, Format, GoalScope
from handlers import ids
from handlers.blocks import BlockDicts, context, divider, header, render, section
from storage.models import Kind

DRIVER_LABELS = {
    Driver.PERSONAL_GROWTH: "Personal growth",
    Driver.JOB_REQUIREMENTS: "My job is changing",
    Driver.PERFORMANCE: "Improving my performance",
    Driver.CAREER: "My career",
}
SCOPE_LABELS = {
    GoalScope.SPECIFIC_SKILL: "A specific skill for my current role",
    GoalScope.BROAD_DIRECTION: "Broader direction for my career",
    GoalScope.UNSURE: "Not sure yet",
}
FORMAT_LABELS = {
    Format.ONE_TO_ONE: "One-to-one",
    Format.GROUP: "In a small group",
    Format.OBSERVATION: "Observing someone at work",
}
KIND_LABEL = {Kind.MENTOR: "mentor", Kind.COACH: "coach"}


def _option(value: str, label: str) -> Option:
    return Option(value=value, label=label)


def _modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    submit: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Close" if submit else "Done",
        private_metadata=json.dumps(metadata or {}),
        blocks=blocks,
    )
    return view.to_dict()


def request_form(kind: Kind, need: str) -> dict[str, Any]:
    """The form behind `/mentor` and `/coach`; `need` is what was typed after the command."""
    blocks: list[Block] = [
        section(prompts.render("request_intro", kind=KIND_LABEL[kind])),
        InputBlock(
            block_id=ids.REQUEST_NEED,
            label="What do you want to develop?",
            hint="The gap between where you are now and where you want to be.",
            element=PlainTextInputElement(
                action_id=ids.REQUEST_NEED,
                multiline=True,
                max_length=NEED_MAX,
                initial_value=shorten(need, NEED_MAX) or None,
                placeholder="e.g. I want to run design reviews with confidence",
            ),
        ),
        InputBlock(
            block_id=ids.REQUEST_DRIVERS,
            label="What drives it?",
            optional=True,
            element=CheckboxesElement(
                action_id=ids.REQUEST_DRIVERS,
                options=[_option(d.value, label) for d, label in DRIVER_LABELS.items()],
            ),
        ),
        InputBlock(
            block_id=ids.REQUEST_SCOPE,
            label="What kind of goal is it?",
            element=RadioButtonsElement(
                action_id=ids.REQUEST_SCOPE,
                options=[_option(s.value, label) for s, label in SCOPE_LABELS.items()],
            ),
        ),
        InputBlock(
            block_id=ids.REQUEST_FORMAT,
            label="How would you like to learn?",
            element=StaticSelectElement(
                action_id=ids.REQUEST_FORMAT,
                placeholder="Choose a format",
                initial_option=_option(Format.ONE_TO_ONE.value, FORMAT_LABELS[Format.ONE_TO_ONE]),
                options=[_option(f.value, label) for f, label in FORMAT_LABELS.items()],
            ),
        ),
        InputBlock(
            block_id=ids.REQUEST_TIME,
            label="How much time can you give?",
            element=StaticSelectElement(
                action_id=ids.REQUEST_TIME,
                placeholder="Choose an amount",
                options=[_option(t.value, label) for t, label in TIME_LABELS.items()],
            ),
        ),
        InputBlock(
            block_id=ids.REQUEST_MANAGER,
            label="Who is your manager?",
            hint="A mentor is never in your line of authority; this keeps it that way.",
            element=UserSelectElement(
                action_id=ids.REQUEST_MANAGER, placeholder="Pick your manager"
            ),
        ),
        InputBlock(
            block_id=ids.REQUEST_SUMMARY,
            label="One line the program coordinators may see",
            optional=True,
            hint="Only this line is shared with coordinators if nobody is free right away.",
            element=PlainTextInputElement(
                action_id=ids.REQUEST_SUMMARY,
                max_length=SUMMARY_MAX,
                placeholder="e.g. Coaching on presenting to execs",
            ),
        ),
    ]
    title = "Find a mentor" if kind == Kind.MENTOR else "Find a coach"
    return _modal(ids.REQUEST_FORM, title, blocks, submit="Next", metadata={"kind": kind.value})


def triage_view(submitted: Submitted) -> dict[str, Any]:
    recommended = submitted.recommendation.kind
    lines = [f"*I'd suggest a {KIND_LABEL[recommended]}.* {submitted.recommendation.reason}"]
    if submitted.mismatch:
        lines.append(submitted.mismatch)
    buttons = [
        ButtonElement(
            text=f"Find me a {KIND_LABEL[kind]}",
            value=str(submitted.request_id),
            action_id=action,
            style="primary" if kind == recommended else None,
        )
        for kind, action in (
            (Kind.COACH, ids.REQUEST_CHOOSE_COACH),
            (Kind.MENTOR, ids.REQUEST_CHOOSE_MENTOR),
        )
    ]
    blocks: list[Block] = [
        section(prompts.render("request_received", by=slack_date(submitted.answer_by))),
        section("\n\n".join(lines)),
        context(prompts.render("triage_footer")),
        ActionsBlock(block_id="request_choose", elements=buttons),
    ]
    return _modal(
        ids.REQUEST_FLOW_VIEW,
        "Mentor or coach?",
        blocks,
        metadata={"request_id": submitted.request_id},
    )


def candidates_view(proposal: Proposal) -> dict[str, Any]:
    if proposal.queued:
        return _modal(
            ids.REQUEST_FLOW_VIEW,
            "Nobody free yet",
            [
                section(prompts.render("request_queued", kind=KIND_LABEL[proposal.kind])),
            ],
            metadata={"request_id": proposal.request_id},
        )
    blocks: list[Block] = [
        section(prompts.render("candidates_intro", kind=KIND_LABEL[proposal.kind])),
    ]
    blocks += candidate_blocks(proposal.request_id, proposal.candidates)
    blocks += [divider(), cancel_actions(proposal.request_id)]
    return _modal(
        ids.REQUEST_FLOW_VIEW,
        f"Pick a {KIND_LABEL[proposal.kind]}",
        blocks,
        metadata={"request_id": proposal.request_id},
    )


def candidate_blocks(request_id: int, candidates: tuple[Candidate, ...]) -> list[Block]:
    blocks: list[Block] = []
    for candidate in candidates:
        volunteer = candidate.volunteer
        text = f"*<@{volunteer.slack_user_id}>*\n{escape_mrkdwn(candidate.why)}"
        block = section(text)
        block.accessory = ButtonElement(
            text=f"Ask {shorten(volunteer.display_name, 60)}",
            action_id=f"{ids.REQUEST_ASK}:{volunteer.person_id}",
            value=f"{request_id}:{volunteer.person_id}",
        )
        blocks.append(block)
    return blocks


def cancel_actions(request_id: int) -> ActionsBlock:
    return ActionsBlock(
        block_id="request_cancel",
        elements=[
            ButtonElement(
                text="Cancel my request",
                action_id=ids.REQUEST_CANCEL,
                value=str(request_id),
                style="danger",
            ),
        ],
    )


def asked_view(invited: Invited) -> dict[str, Any]:
    return _modal(
        ids.REQUEST_FLOW_VIEW,
        "Request sent",
        [_asked(invited)],
        metadata={"request_id": invited.card.request_id},
    )


def asked_message(invited: Invited) -> BlockDicts:
    return render([_asked(invited)])


def _asked(invited: Invited) -> Block:
    return section(
        prompts.render(
            "request_asked",
            volunteer=f"<@{invited.volunteer_slack_id}>",
            by=slack_date(invited.expires_at),
        )
    )


def notice_view(title: str, text: str) -> dict[str, Any]:
    return _modal(ids.REQUEST_FLOW_VIEW, shorten(title, 24), [section(text)])


def invitation_message(invited: Invited) -> BlockDicts:
    card = invited.card
    details = [
        f"*<@{card.requester_slack_id}> would like you as their {KIND_LABEL[card.kind]}.*",
        f"_In their words:_ {escape_mrkdwn(shorten(card.need, 1200))}",
        f"*Format:* {FORMAT_LABELS.get(Format(card.format), card.format)}   "
        f"*Time:* {_time_label(card.time_commitment)}",
    ]
    if invited.why:
        details.append(f"*Why you:* {escape_mrkdwn(invited.why)}")
    return render(
        [
            section("\n".join(details)),
            context(prompts.render("invitation_footer", deadline=_date(invited))),
            ActionsBlock(
                block_id="invite_answer",
                elements=[
                    ButtonElement(
                        text="Accept",
                        action_id=ids.INVITE_ACCEPT,
                        value=str(invited.invitation_id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Decline",
                        action_id=ids.INVITE_DECLINE,
                        value=str(invited.invitation_id),
                    ),
                ],
            ),
        ]
    )


def invitation_answered(card_line: str) -> BlockDicts:
    return render([section(card_line)])


def decline_form(invitation_id: int) -> dict[str, Any]:
    return _modal(
        ids.DECLINE_FORM,
        "Decline",
        [
            section(prompts.render("decline_intro")),
            InputBlock(
                block_id=ids.DECLINE_REASON,
                label="Anything you'd like them to know?",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ids.DECLINE_REASON, multiline=True, max_length=300
                ),
            ),
        ],
        submit="Decline",
        metadata={"invitation_id": invitation_id},
    )


def accepted_for_requester(accepted: Accepted) -> BlockDicts:
    return render(
        [
            section(
                prompts.render(
                    "accepted_requester",
                    guide=f"<@{accepted.guide_slack_id}>",
                    kind=KIND_LABEL[accepted.kind],
                )
            )
        ]
    )


def accepted_for_guide(accepted: Accepted) -> BlockDicts:
    return render(
        [
            section(
                prompts.render(
                    "accepted_guide",
                    requester=f"<@{accepted.requester_slack_id}>",
                    kind=KIND_LABEL[accepted.kind],
                )
            )
        ]
    )


def passed_for_requester(passed: Passed) -> BlockDicts:
    kind = KIND_LABEL[passed.card.kind]
    what = "didn't answer in time" if passed.expired else "can't take this on right now"
    opening = f"<@{passed.volunteer_slack_id}> {what}."
    if passed.queued:
        return render([section(opening + " " + prompts.render("request_queued", kind=kind))])
    blocks: list[Block] = [section(opening + " " + prompts.render("candidates_next", kind=kind))]
    blocks += candidate_blocks(passed.card.request_id, passed.next_candidates)
    blocks.append(cancel_actions(passed.card.request_id))
    return render(blocks)


def queue_message(card: RequestCard, age_text: str) -> BlockDicts:
    summary = escape_mrkdwn(card.summary) if card.summary else "_No summary shared._"
    return render(
        [
            header(f"Waiting for a {KIND_LABEL[card.kind]}"),
            section(
                f"*Who:* <@{card.requester_slack_id}>\n*Summary:* {summary}\n"
                f"*Format:* {FORMAT_LABELS.get(Format(card.format), card.format)}   "
                f"*Time:* {_time_label(card.time_commitment)}\n*Waiting:* {age_text}"
            ),
            ActionsBlock(
                block_id="queue_actions",
                elements=[
                    ButtonElement(
                        text="Assign someone",
                        action_id=ids.QUEUE_ASSIGN,
                        value=str(card.request_id),
                        style="primary",
                    ),
                ],
            ),
        ]
    )


def assign_form(request_id: int) -> dict[str, Any]:
    return _modal(
        ids.ASSIGN_FORM,
        "Assign by hand",
        [
            section(prompts.render("assign_intro")),
            InputBlock(
                block_id=ids.ASSIGN_PERSON,
                label="Who should we ask?",
                element=UserSelectElement(action_id=ids.ASSIGN_PERSON, placeholder="Pick a person"),
            ),
        ],
        submit="Ask them",
        metadata={"request_id": request_id},
    )


def _time_label(value: str) -> str:
    for key, label in TIME_LABELS.items():
        if key.value == value:
            return label
    return value


def _date(invited: Invited) -> str:
    return slack_date(invited.expires_at, style="date_long")


def slack_date(moment: datetime, *, style: str = "date_short_pretty") -> str:
    """A date each reader sees in their own zone and format (with a UTC fallback)."""
    return f"<!date^{int(moment.timestamp())}^{{{style}}}|{moment:%d %B %Y}>"
