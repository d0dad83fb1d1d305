"""`/mentoring me`: what the person has going on, visible only to them."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot import overview
from handlers import home_blocks, pool_blocks
from handlers.blocks import context as small_print
from handlers.blocks import render


def me_subcommand(ack: Ack, context: BoltContext, **_: Any) -> None:
    services = context["services"]
    team_id, user_id = context.team_id or "", context.user_id or ""
    mine = overview.for_person(services, team_id=team_id, user_id=user_id)
    blocks = [
        *pool_blocks.overview(mine),
        *render([small_print(home_blocks.messages_line(mine.messages))]),
    ]
    ack(text="Your mentoring and coaching.", blocks=blocks)
