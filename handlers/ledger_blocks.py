"""The privacy ledger as Slack text: who sees what about you, generated from bot.visibility."""

from __future__ import annotations

from collections.abc import Sequence

import prompts
from bot.visibility import Audience, LedgerLine

AUDIENCE_NAMES = {
    Audience.PARTNER: "Your partner (or your group) sees",
    Audience.MANAGER: "Your manager sees",
    Audience.COORDINATORS: "Program coordinators see",
}


def _joined(items: Sequence[str]) -> str:
    return "; ".join(items)


def audience_text(line: LedgerLine) -> str:
    name = AUDIENCE_NAMES[line.audience]
    parts = []
    if not (line.sees or line.if_shared):
        parts.append("nothing about you through Mentorbot, not even that you take part.")
    else:
        if line.sees:
            parts.append(f"{_joined(line.sees)}.")
        if line.if_shared:
            parts.append(f"Only if you share it: {_joined(line.if_shared)}.")
        if line.never:
            parts.append(f"Never: {_joined(line.never)}.")
    if line.agreed:
        parts.append(f"Your agreement says you may tell them: {_joined(line.agreed)}.")
    return f"• *{name}* " + " ".join(parts)


def ledger_text(lines: Sequence[LedgerLine]) -> str:
    return "\n".join([prompts.render("ledger_intro"), *(audience_text(line) for line in lines)])
