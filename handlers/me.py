"""`/mentoring me`: what the person has going on, visible only to them."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot import overview
from handlers import pool_blocks


def me_subcommand(ack: Ack, context: BoltContext, **_: Any) -> None:
    mine = overview.for_person(
        context["services"], team_id=context.team_id or "", user_id=context.user_id or ""
    )
    ack(text="Your mentoring and coaching.", blocks=pool_blocks.overview(mine))
