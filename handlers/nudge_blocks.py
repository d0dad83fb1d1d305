"""Block Kit for the clock's messages: reminders, how-did-it-go, follow-ups, at-risk posts."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

import prompts
from bot.ports import NudgeMessage
from bot.text import escape_mrkdwn, shorten
from handlers import ids
from handlers.blocks import BlockDicts, context, render, section


def _when(message: NudgeMessage) -> str:
    if message.due_at is None:
        return "soon"
    stamp = int(message.due_at.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{message.due_at:%d %b %H:%M} UTC>"


def _with(message: NudgeMessage) -> str:
    return ", ".join(f"<@{p}>" for p in message.partners) or "your group"


def _assess_buttons(checkpoint_id: int) -> ActionsBlock:
    return ActionsBlock(
        block_id="assess_answer",
        elements=[
            ButtonElement(
                text="On track",
                action_id=ids.ASSESS_ON_TRACK,
                value=str(checkpoint_id),
                style="primary",
            ),
            ButtonElement(text="Behind", action_id=ids.ASSESS_BEHIND, value=str(checkpoint_id)),
            ButtonElement(text="Blocked", action_id=ids.ASSESS_BLOCKED, value=str(checkpoint_id)),
        ],
    )


MERGED_PREFIX = "merged"
MERGED_SHOWN = 10  # 4 blocks each at most: well inside Slack's 50 blocks per message


def render_nudge(message: NudgeMessage) -> tuple[str, BlockDicts]:
    if message.payload:
        return str(message.payload.get("text", "")), list(message.payload.get("blocks", []))
    if message.kind == "merged":
        return _merged(message)
    if message.kind == "nudges_stopped":
        count = message.reasons[0] if message.reasons else "few"
        text = prompts.render("nudges_stopped", count=count)
        return "I've stopped sending you reminders.", render([section(text)])
    if message.kind == "nudges_ignored":
        who, count = (*message.reasons, "", "")[:2]
        text = prompts.render("nudges_ignored", person=who, count=count)
        return "Someone's nudges were stopped.", render([section(text)])
    return _single(message)


def _merged(message: NudgeMessage) -> tuple[str, BlockDicts]:
    """Several nudges in one DM. Block ids get the item's number (they must be unique in a
    message) and the MERGED_PREFIX, which tells the button listeners to answer beside the
    digest rather than replace it."""
    blocks: BlockDicts = render([section(prompts.render("merged_intro", count=len(message.items)))])
    for n, item in enumerate(message.items[:MERGED_SHOWN], start=1):
        _, item_blocks = _single(item, hint=False)
        blocks.append({"type": "divider"})
        for j, block in enumerate(item_blocks):
            own = block.get("block_id", "text")
            blocks.append({**block, "block_id": f"{MERGED_PREFIX}{n}.{j}_{own}"[:255]})
    if len(message.items) > MERGED_SHOWN:
        more = len(message.items) - MERGED_SHOWN
        blocks.extend(render([context(f"…and {more} more: `/mentoring plan` shows them all.")]))
    blocks.extend(render([context(prompts.render("mute_hint"))]))
    return f"{len(message.items)} things from Mentorbot, in one message.", blocks


def _single(message: NudgeMessage, *, hint: bool = True) -> tuple[str, BlockDicts]:
    checkpoint_id = message.checkpoint_id or 0
    title = escape_mrkdwn(shorten(message.checkpoint_title, 200))
    if message.kind == "at_risk":
        reasons = "\n".join(f"• {shorten(r, 200)}" for r in message.reasons[:5])
        text = prompts.render("risk_alert", people=_with(message), reasons=reasons)
        return "A relationship may need support.", render([section(text)])
    if message.kind == "request_overdue":
        return "A request is waiting longer than it should.", _request_overdue(message)
    if message.kind == "request_waiting":
        return "An update on your request.", _request_waiting(message)
    if message.kind == "agreement_stuck":
        reasons = "\n".join(f"• {shorten(r, 200)}" for r in message.reasons[:5])
        text = prompts.render("agreement_stuck", people=_with(message), reasons=reasons)
        return "An agreement is taking a while.", render([section(text)])
    if message.kind == "digest":
        summary = "\n".join(f"• {line}" for line in message.reasons[:8])
        return "The program digest.", render([section(prompts.render("digest", lines=summary))])
    if message.kind == "pulse":
        period = message.reasons[0] if message.reasons else ""
        value = f"{message.relationship_id or 0}:{period}"
        ratings = ActionsBlock(
            block_id="pulse_rating",
            elements=[
                ButtonElement(text=str(n), action_id=f"{ids.PULSE_RATE}_{n}", value=value)
                for n in range(1, 6)
            ],
        )
        more = ActionsBlock(
            block_id="pulse_more",
            elements=[
                ButtonElement(text="Add a suggestion", action_id=ids.PULSE_SUGGEST, value=value)
            ],
        )
        text = prompts.render("pulse_ask", partners=_with(message))
        return "A two-question pulse survey.", render([section(text), ratings, more])
    if message.kind == "report_due":
        text = prompts.render("report_due", partners=_with(message))
        blocks_due: list[Block] = [
            section(text),
            ActionsBlock(
                block_id="report_due",
                elements=[
                    ButtonElement(
                        text="Write the report",
                        action_id=ids.REPORT_OPEN,
                        value=f"{message.relationship_id or 0}:periodic",
                        style="primary",
                    ),
                ],
            ),
        ]
        return "Time for your periodic report.", render(blocks_due)
    if message.kind == "assess":
        text = prompts.render("assess_ask", title=title, partners=_with(message))
        return "How did your checkpoint go?", render(
            [section(text), _assess_buttons(checkpoint_id)]
        )
    if message.kind == "missed":
        text = prompts.render("missed_followup", title=title, partners=_with(message))
        blocks: list[Block] = [
            section(text),
            _assess_buttons(checkpoint_id),
            ActionsBlock(
                block_id="missed_more",
                elements=[
                    ButtonElement(
                        text="Reschedule", action_id=ids.NUDGE_RESCHEDULE, value=str(checkpoint_id)
                    ),
                ],
            ),
        ]
        return "We didn't hear how your checkpoint went.", render(blocks)
    items = "\n".join(f"• {escape_mrkdwn(shorten(i, 150))}" for i in message.plan_items[:8])
    text = prompts.render(
        "checkpoint_reminder", title=title, when=_when(message), partners=_with(message)
    )
    blocks = [section(text)]
    if items:
        blocks.append(section(f"*Due by then:*\n{items}"))
    blocks.append(
        ActionsBlock(
            block_id="nudge_actions",
            elements=[
                ButtonElement(
                    text="Done", action_id=ids.NUDGE_DONE, value=str(checkpoint_id), style="primary"
                ),
                ButtonElement(
                    text="Reschedule", action_id=ids.NUDGE_RESCHEDULE, value=str(checkpoint_id)
                ),
                ButtonElement(
                    text="Snooze a day", action_id=ids.NUDGE_SNOOZE, value=str(checkpoint_id)
                ),
                ButtonElement(
                    text="Add a reflection",
                    action_id=ids.REFLECT_OPEN,
                    value=f"{message.relationship_id or 0}:{checkpoint_id}",
                ),
            ],
        )
    )
    if hint:
        blocks.append(context(prompts.render("mute_hint")))
    return "Checkpoint coming up.", render(blocks)


def _kind_label(message: NudgeMessage) -> str:
    return "coach" if message.request_kind == "coach" else "mentor"


def _request_overdue(message: NudgeMessage) -> BlockDicts:
    summary = (
        escape_mrkdwn(shorten(message.request_summary, 300))
        if message.request_summary
        else "_none shared_"
    )
    text = prompts.render(
        "request_overdue",
        requester=f"<@{message.requester}>" if message.requester else "Someone",
        kind=_kind_label(message),
        summary=summary,
        reasons="\n".join(f"• {shorten(r, 300)}" for r in message.reasons[:4]),
    )
    assign = ActionsBlock(
        block_id="queue_actions",
        elements=[
            ButtonElement(
                text="Assign someone",
                action_id=ids.QUEUE_ASSIGN,
                value=str(message.request_id or 0),
                style="primary",
            )
        ],
    )
    return render([section(text), assign])


def _request_waiting(message: NudgeMessage) -> BlockDicts:
    standing, coordinators = [*message.reasons, "", ""][:2]
    text = prompts.render(
        "request_waiting",
        kind=_kind_label(message),
        standing=standing,
        coordinators=coordinators,
    )
    cancel = ActionsBlock(
        block_id="request_cancel",
        elements=[
            ButtonElement(
                text="Cancel my request",
                action_id=ids.REQUEST_CANCEL,
                value=str(message.request_id or 0),
                style="danger",
            )
        ],
    )
    return render([section(text), cancel])
