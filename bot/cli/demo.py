"""`mentorbot demo`: the whole program against the built-in Slack emulator, no tokens, no network.

It migrates a fresh SQLite database, starts the emulator and the real app (the same WSGI
endpoint production runs), drives a scripted session through the signed-request driver exactly
as Slack would, and prints what each person saw.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.cli.stage import COORDINATOR_CHANNEL, SHOUTOUT_CHANNEL, Stage, emulated_stage, quiet_logs
from bot.emulator.render import Seen

__all__ = ["COORDINATOR_CHANNEL", "SHOUTOUT_CHANNEL", "Stage", "run_demo"]

FORM_LINES = 8


def print_transcript(seen: list[Seen], stage: Stage, shown: set[str], out: TextIO) -> None:
    """Print what each person saw. A form shown before is named, not printed again."""
    for index, item in enumerate(seen):
        quiet_day = item.kind == "clock" and (
            index + 1 == len(seen) or seen[index + 1].kind == "clock"
        )
        if quiet_day:
            continue
        who = ", ".join(stage.name(user) for user in item.users) or "nobody"
        where = f" in {item.channel}" if item.channel else ""
        if item.kind == "clock":
            out.write(f"\n[{item.text}]\n")
            continue
        if item.kind == "reply":
            out.write(f"\n--- {who} filled in and submitted\n")
        elif item.kind == "modal" and item.text in shown and item.text.count("\n") > FORM_LINES:
            title = item.text.splitlines()[0].lstrip("┌ ")
            out.write(f"\n--- {who} saw the {title!r} form (as above)\n")
            continue
        else:
            article = "an" if item.kind[:1] in "aeiou" else "a"
            out.write(f"\n--- {who} saw {article} {item.kind}{where}\n")
        shown.add(item.text)
        for line in item.text.splitlines():
            out.write(f"    {line}\n")


def run_demo(*, database_url: str | None = None, out: TextIO = sys.stdout) -> int:
    with quiet_logs():
        return _play(database_url, out)


def _play(database_url: str | None, out: TextIO) -> int:
    with emulated_stage(database_url) as stage:
        out.write("Mentorbot demo: the real app, driven through the built-in Slack emulator.\n")
        from bot.cli.demo_scenes import AUDIENCES, SCENES

        shown: set[str] = set()
        for title, scene in SCENES:
            out.write(f"\n=== {title} ===\n")
            already = len(stage.emulator.seen())
            scene(stage)
            stage.settle()
            seen = stage.emulator.seen()[already:]
            audience = AUDIENCES.get(scene.__name__)
            if audience is not None:
                hidden = [item for item in seen if not set(item.users) & audience]
                seen = [item for item in seen if set(item.users) & audience]
                out.write(f"\n({len(hidden)} messages to other people are not shown)\n")
            print_transcript(seen, stage, shown, out)
        failed = [call for call in stage.emulator.calls(include_failed=True) if not call.ok]
        out.write(
            f"\n=== Done: {len(stage.emulator.calls())} Slack API calls, "
            f"{len(failed)} refused ===\n"
        )
    return 0
