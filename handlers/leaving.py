"""`/mentoring leave`: leave the pool and the program in one step, after a confirmation."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ConfirmObject

import prompts
from bot import leaving, people
from bot.leaving import Left, Preview
from bot.services import Services
from handlers import announce, closure, home, ids
from handlers.blocks import notice, render, section


def _services(context: BoltContext) -> Services:
    services: Services = context["services"]
    return services


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def preview_text(preview: Preview) -> str:
    changes = []
    if preview.offer:
        changes.append("your offer to mentor or coach is withdrawn")
    if preview.requests:
        changes.append(
            _count(preview.requests, "open request is", "open requests are") + " cancelled"
        )
    if preview.invitations:
        changes.append(
            _count(preview.invitations, "invitation is", "invitations are")
            + " declined for you (each person is offered someone else)"
        )
    if preview.relationships:
        changes.append(
            _count(preview.relationships, "relationship is", "relationships are")
            + " closed, with a kind word to each partner"
        )
    return prompts.render("leave_confirm", changes="\n".join(f"• {c}" for c in changes))


def leave_blocks(preview: Preview) -> list[dict[str, Any]]:
    blocks: list[Block] = [
        section(preview_text(preview)),
        ActionsBlock(
            block_id="leave_actions",
            elements=[
                ButtonElement(
                    text="Leave the program",
                    action_id=ids.LEAVE_CONFIRM,
                    value="leave",
                    style="danger",
                    confirm=ConfirmObject(
                        title="Leave the program?",
                        text="Your relationships will be closed. Nothing is deleted.",
                        confirm="Leave",
                        deny="Stay",
                    ),
                ),
                ButtonElement(text="Stay", action_id=ids.LEAVE_CANCEL, value="stay"),
            ],
        ),
    ]
    return render(blocks)


def left_text(left: Left) -> str:
    done = []
    if left.offer_withdrawn:
        done.append("your offer is withdrawn")
    if left.cancelled:
        done.append(_count(left.cancelled, "request", "requests") + " cancelled")
    if left.passed:
        done.append(_count(len(left.passed), "invitation", "invitations") + " declined")
    if left.ended:
        done.append(_count(len(left.ended), "relationship", "relationships") + " closed")
    return prompts.render("leave_done", done="; ".join(done) or "nothing was left to change")


def leave_subcommand(ack: Ack, context: BoltContext, **_: Any) -> None:
    preview = leaving.preview(
        _services(context), team_id=context.team_id or "", user_id=context.user_id or ""
    )
    if preview.nothing:
        ack(text=prompts.render("leave_nothing"))
        return
    ack(text="Leave the mentoring program?", blocks=leave_blocks(preview))


def confirm_leave(ack: Ack, client: WebClient, context: BoltContext, respond: Respond) -> None:
    ack()
    services = _services(context)
    team_id = context.team_id or ""
    person = people.ensure(services, team_id=team_id, user_id=context.user_id or "")
    left = leaving.leave(services, person, team_id=team_id)
    text = left_text(left)
    respond(replace_original=True, text=text, blocks=notice(text))
    for invitation in left.withdrawn:
        announce.withdrawn(client, invitation.slack_channel, invitation.slack_ts)
    for passed in left.passed:
        announce.passed(client, services, passed)
    for ended in left.ended:
        closure.tell_ended(client, services, team_id, ended)
    home.refresh(client, services, team_id, [person.slack_user_id])


def cancel_leave(ack: Ack, respond: Respond) -> None:
    ack()
    respond(replace_original=True, text="Nothing changed: you are still in the program.")


def register(app: App) -> None:
    app.action(ids.LEAVE_CONFIRM)(confirm_leave)
    app.action(ids.LEAVE_CANCEL)(cancel_leave)
