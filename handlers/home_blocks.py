"""The App Home view: one person's relationships, plans, requests, offer, reflections, thanks."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from slack_sdk.models.views import View

import prompts
from bot.dm_gate import Standing
from bot.home import Home, RelationshipCard
from bot.text import escape_mrkdwn, shorten
from handlers import ids, ledger_blocks
from handlers.blocks import context, divider, header, section
from handlers.pool_blocks import request_standing

KIND_NAMES = {
    "mentoring": "Mentoring",
    "coaching": "Coaching",
    "group_coaching": "Group coaching",
    "observation": "Observation",
}
MAX_RELATIONSHIPS = 20
GOAL_STATES = {"open": ":white_circle:", "done": ":white_check_mark:"}


def _when(moment: Any) -> str:
    stamp = int(moment.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{moment:%d %b %Y %H:%M} UTC>"


def _card(card: RelationshipCard) -> list[Block]:
    partners = ", ".join(f"<@{p}>" for p in card.partners) or "your group"
    role = "you guide" if card.role == "guide" else "you learn"
    lines = [f"*{KIND_NAMES.get(card.kind, card.kind)}* with {partners} ({role})"]
    if card.agreement in ("none", "draft"):
        lines.append("Agreement: not finished yet. Your group conversation has the button.")
    elif card.agreement == "proposed":
        lines.append("Agreement: waiting for everyone to confirm.")
    if card.next_checkpoint is not None:
        lines.append(
            f"Next checkpoint: {_when(card.next_checkpoint)} · "
            f"{escape_mrkdwn(shorten(card.next_title, 80))}"
        )
    if card.health is not None:
        lines.append(
            f"Health: *{card.health}/100* · {escape_mrkdwn('; '.join(card.health_reasons))}"
        )
    for goal, state in card.goals:
        lines.append(f"{GOAL_STATES.get(state, '•')} {escape_mrkdwn(shorten(goal, 120))}")
    return [section("\n".join(lines))]


def home_view(home: Home) -> dict[str, Any]:
    name = escape_mrkdwn(home.name) or "there"
    blocks: list[Block] = [
        header("Mentoring and coaching"),
        section(prompts.render("home_intro", name=name)),
    ]
    if not (home.relationships or home.requests or home.offer):
        blocks.append(section(prompts.render("home_empty")))
    if home.relationships:
        blocks += [divider(), header("Your relationships")]
        for card in home.relationships[:MAX_RELATIONSHIPS]:
            blocks += _card(card)
        if len(home.relationships) > MAX_RELATIONSHIPS:
            blocks.append(context(f"…and {len(home.relationships) - MAX_RELATIONSHIPS} more."))
    if home.requests or home.invitations_waiting:
        blocks += [divider(), header("Requests")]
        lines = [f"• Your request for a {r.kind}: {request_standing(r)}" for r in home.requests]
        lines = lines[:10]
        if home.invitations_waiting:
            lines.append(
                f"• {home.invitations_waiting} invitation(s) wait for your answer in your DMs."
            )
        blocks.append(section("\n".join(lines)))
    if home.offer is not None:
        roles = " and ".join(
            r for r, on in (("mentor", home.offer.as_mentor), ("coach", home.offer.as_coach)) if on
        )
        blocks += [
            divider(),
            section(
                f"*Your offer:* {roles}, {home.offer.free_places} of "
                f"{home.offer.capacity} place(s) free ({home.offer.status})"
            ),
        ]
    if home.reflections:
        lines = [
            f"• {moment:%d %b}: {escape_mrkdwn(shorten(text, 200))}"
            for moment, text in home.reflections
        ]
        blocks += [
            divider(),
            section("*Your recent reflections* (only you see these)\n" + "\n".join(lines)),
        ]
    if home.thanks_received:
        lines = [
            f"• <@{sender}>: {escape_mrkdwn(shorten(text, 200))}"
            for sender, text in home.recent_thanks
        ]
        blocks += [
            divider(),
            section(f"*Thanks received:* {home.thanks_received}\n" + "\n".join(lines)),
        ]
    if home.privacy:
        blocks += [divider(), section(ledger_blocks.ledger_text(home.privacy))]
    blocks += [
        divider(),
        ActionsBlock(
            block_id="home_actions",
            elements=[
                ButtonElement(text="Find a mentor", action_id=ids.HOME_ASK_MENTOR, value="mentor"),
                ButtonElement(text="Find a coach", action_id=ids.HOME_ASK_COACH, value="coach"),
                ButtonElement(text="Reflect", action_id=ids.REFLECT_OPEN, value="0:0"),
                ButtonElement(text="Thank someone", action_id=ids.THANKS_OPEN, value=""),
                ButtonElement(text="Volunteer", action_id="me_offer", value="offer"),
            ],
        ),
    ]
    if home.messages is not None:
        blocks.append(context(messages_line(home.messages)))
    return View(type="home", blocks=blocks).to_dict()


def messages_line(standing: Standing) -> str:
    """How many DMs the bot started with the person this week, and what holds them back."""
    line = f"Messages from me in the last 7 days: {standing.used} of at most {standing.budget}."
    if standing.paused_until is not None:
        return f"{line} Paused until {_when(standing.paused_until)}; `/mentoring resume` ends it."
    if standing.stopped:
        return (
            f"{line} Reminders are stopped (the last few went unanswered); click any button "
            "of mine or type `/mentoring resume` to get them again."
        )
    if standing.muted:
        return f"{line} Muted: only the essential ones; `/mentoring unmute` brings all back."
    return (
        f"{line} `/mentoring pause [weeks]` pauses them; "
        "`/mentoring mute` keeps only the essential ones."
    )
