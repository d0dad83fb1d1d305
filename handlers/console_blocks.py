"""Block Kit for the coordinator console: the program status and the reports list."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot import service_levels
from bot.cohort_flow import CohortProposal, GroupProposal
from bot.coordinator_reports import ReportLine
from bot.program_status import Status, Waiting, completion_rate
from bot.text import escape_mrkdwn, shorten
from handlers import ids
from handlers.blocks import BlockDicts, context, divider, header, render, section

KIND_NAMES = {
    "mentoring": "mentoring",
    "coaching": "coaching",
    "group_coaching": "group coaching",
    "observation": "observation",
}
REASONS = {
    "goals_met": "goals met",
    "no_longer_needed": "no longer needed",
    "left_program": "someone left the program",
    "not_working": "not working",
    "forgotten": "erased on request",
    "unknown": "other",
}


def _days(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} days" if value >= 1 else f"{value * 24:.0f} hours"


def _working(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return "under a working day"
    shown = f"{value:.1f}".removesuffix(".0")
    return f"{shown} working day{'' if value == 1 else 's'}"


QUEUE_STANDING = {
    "open": "has not asked anyone yet",
    "matching": "choosing whom to ask",
    "unmatched": "nobody in the pool fits: assign by hand",
}


def _queued(item: Waiting) -> str:
    standing = (
        f"waiting for <@{item.asked}>'s answer"
        if item.asked
        else QUEUE_STANDING.get(item.status, item.status)
    )
    told = f"; escalated {item.escalated_at:%d %b}" if item.escalated_at else ""
    return (
        f"• <@{item.requester}> ({item.kind}), {service_levels.age_text(item.waited)}: "
        f"{standing}{told}"
    )


def _health(score: int | None, reasons: Sequence[str]) -> str:
    if score is None:
        return ""
    return f"\n      health {score}/100: {'; '.join(reasons)}"


def _rate(kept_missed: tuple[int, int]) -> str:
    rate = completion_rate(kept_missed)
    kept, missed = kept_missed
    return "no checkpoints yet" if rate is None else f"{rate:.0%} ({kept} kept, {missed} missed)"


def status_message(status: Status) -> BlockDicts:
    active = (
        ", ".join(f"{n} {KIND_NAMES.get(kind, kind)}" for kind, n in sorted(status.active.items()))
        or "none"
    )
    blocks: list[Block] = [
        header("Program status"),
        context(f"Filters: {status.filters.describe()}"),
        section(
            f"*Active relationships:* {status.total_active} ({active})\n"
            f"*Requests waiting:* {status.waiting} (oldest {_working(status.oldest_wait_days)},"
            f" median {_working(status.median_wait_days)}); median time to match "
            f"{_days(status.median_match_days)}\n"
            f"*Volunteers:* {status.volunteers}, {max(status.places - status.places_used, 0)}"
            f" of {status.places} places free\n"
            f"*Checkpoints kept:* last 30 days {_rate(status.completion_30)}; last 90 days "
            f"{_rate(status.completion_90)}\n"
            f"*Appreciation sent:* {status.appreciation}"
        ),
    ]
    if status.closed:
        closed = ", ".join(
            f"{n} {REASONS.get(reason, reason)}" for reason, n in sorted(status.closed.items())
        )
        blocks.append(section(f"*Closed:* {closed}"))
    if status.pulse_answers:
        lowest = "; ".join(
            f"{', '.join(f'<@{p}>' for p in people)} {average:.1f}"
            for people, average in status.pulse_lowest[:3]
        )
        blocks.append(
            section(
                f"*Pulse:* average {status.pulse_average or 0:.1f}/5 from "
                f"{status.pulse_answers} answers. Lowest: {lowest}"
            )
        )
    if status.queue:
        blocks.append(section("*Queue* (oldest first)\n" + "\n".join(map(_queued, status.queue))))
        if status.waiting > len(status.queue):
            blocks.append(context(f"…and {status.waiting - len(status.queue)} more waiting."))
    blocks.append(divider())
    if status.at_risk:
        lines = [
            f"• {', '.join(f'<@{p}>' for p in item.people)}: {'; '.join(item.reasons)} "
            f"(since {item.since:%d %b})" + _health(item.health, item.health_reasons)
            for item in status.at_risk
        ]
        blocks.append(section("*At risk* (lowest health first)\n" + "\n".join(lines)))
    else:
        blocks.append(section("*At risk:* none right now."))
    blocks.append(
        context(
            "Counts and dates only: reflections, confidential agreement text and "
            "requests' own words are never shown here."
        )
    )
    return render(blocks)


def reports_message(lines: Sequence[ReportLine], since_text: str) -> BlockDicts:
    if not lines:
        return render([section(f"No mentor reports {since_text}.")])
    blocks: list[Block] = [header(f"Mentor reports {since_text}"[:150])]
    for line in lines[:20]:
        goals = escape_mrkdwn(shorten(", ".join(line.goals_reached), 300)) or "none marked"
        blocks.append(
            section(
                f"*<@{line.guide}>* on {', '.join(f'<@{p}>' for p in line.learners)} "
                f"({line.occasion}, {line.created_at:%d %b %Y})\n"
                f"_Goals reached:_ {goals}\n"
                f"_Progress:_ {escape_mrkdwn(shorten(line.progress, 400))}"
                f"\n_Learned:_ {escape_mrkdwn(shorten(line.learned, 600))}\n"
                f"_Recommendations:_ {escape_mrkdwn(shorten(line.recommendations, 400)) or '—'}"
            )
        )
    if len(lines) > 20:
        blocks.append(context(f"…and {len(lines) - 20} more: `/mentoring export` has them all."))
    return render(blocks)


def cohort_message(proposal: CohortProposal) -> BlockDicts:
    if not proposal.lines:
        reason = (
            f"{len(proposal.unmatched)} request(s) are waiting but nobody eligible has "
            "a free place."
            if proposal.unmatched
            else "No requests are waiting."
        )
        return render([section(f"*Cohort:* {reason}")])
    lines = [
        f"• <@{line.requester}> ← <@{line.volunteer}> ({line.kind}): "
        f"{escape_mrkdwn(shorten(line.why, 150))}"
        for line in proposal.lines[:15]
    ]
    blocks: list[Block] = [
        header("Cohort proposal"),
        section(
            f"{len(proposal.lines)} pairing(s), {len(proposal.unmatched)} unmatched; the "
            f"best total fit under everyone's capacity and the rules (total score "
            f"{proposal.total:.1f}). Nothing is sent until you approve."
        ),
        section("\n".join(lines)),
    ]
    if len(proposal.lines) > 15:
        blocks.append(context(f"…and {len(proposal.lines) - 15} more."))
    if proposal.unmatched:
        blocks.append(
            context("Unmatched: " + ", ".join(f"<@{u}>" for _, u in proposal.unmatched[:20]))
        )
    blocks.append(
        ActionsBlock(
            block_id="cohort_actions",
            elements=[
                ButtonElement(
                    text=f"Send {len(proposal.lines)} invitations",
                    action_id=ids.COHORT_APPROVE,
                    value=proposal.fingerprint,
                    style="primary",
                ),
            ],
        )
    )
    return render(blocks)


def groups_message(proposal: GroupProposal) -> BlockDicts:
    if not proposal.groups:
        return render(
            [
                section(
                    "*Coaching groups:* no group can be formed from the waiting "
                    "coaching requests and the coaches who offer groups."
                )
            ]
        )
    lines = [
        f"• <@{g.coach}>: " + ", ".join(f"<@{u}>" for _, u, _ in g.learners)
        for g in proposal.groups[:15]
    ]
    return render(
        [
            header("Coaching groups proposal"),
            section(
                f"{len(proposal.groups)} group(s) of up to {proposal.size}, learners with "
                f"similar needs; {proposal.left_over} request(s) left for one-to-one "
                "matching. Nothing is created until you approve."
            ),
            section("\n".join(lines)),
            ActionsBlock(
                block_id="cohort_groups_actions",
                elements=[
                    ButtonElement(
                        text=f"Create {len(proposal.groups)} group(s)",
                        action_id=ids.COHORT_GROUPS_APPROVE,
                        value=f"{proposal.size}:{proposal.fingerprint}",
                        style="primary",
                    ),
                ],
            ),
        ]
    )
