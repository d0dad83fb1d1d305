"""`mentorbot demo`: the whole program against the built-in Slack emulator, no tokens, no network.

It migrates a fresh SQLite database, starts the emulator and the real app (the same WSGI
endpoint production runs), drives a scripted session through the signed-request driver exactly
as Slack would, and prints what each person saw.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from slack_sdk import WebClient

from bot.cli.wiring import build_services, build_web_app
from bot.config import load_settings
from bot.emulator import SlackDriver, SlackEmulator, seed_users
from bot.emulator.actor import Actor
from bot.emulator.render import Seen
from bot.local_server import serve_in_thread
from bot.services import AdjustableClock, Services
from handlers.slack_client import outbox_client, web_client
from storage.db import upgrade

DEMO_SIGNING_SECRET = "demo-signing-secret-not-for-production"
DEMO_TOKEN = "xoxb-emulator-token"
COORDINATOR_CHANNEL = "C0COORD"
SHOUTOUT_CHANNEL = "C0KUDOS"
FORM_LINES = 8


@dataclass
class Stage:
    """What a demo scene needs: the driver to act as people, the emulator to see the results."""

    driver: SlackDriver
    emulator: SlackEmulator
    services: Services
    clock: AdjustableClock
    outbox: WebClient

    def settle(self, timeout: float = 5.0) -> None:
        """Wait until the app's after-ack work has gone quiet (no new Slack calls for a moment)."""
        deadline = time.monotonic() + timeout
        count = -1
        while time.monotonic() < deadline:
            current = len(self.emulator.calls(include_failed=True))
            if current == count:
                return
            count = current
            time.sleep(0.15)

    def name(self, user_id: str) -> str:
        return self.emulator.user_name(user_id)

    def actor(self, user_id: str) -> Actor:
        return Actor(self.driver, self.emulator, user_id)


@contextmanager
def demo_stage(database_url: str | None) -> Iterator[Stage]:
    with tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'demo.db'}"
        upgrade(url)
        with SlackEmulator() as emulator:
            everyone = [str(user["id"]) for user in seed_users()]
            emulator.add_channel(SHOUTOUT_CHANNEL, "kudos", everyone)
            settings = load_settings(
                {
                    "slack_bot_token": DEMO_TOKEN,
                    "slack_signing_secret": DEMO_SIGNING_SECRET,
                    "slack_api_url": emulator.api_url,
                    "database_url": url,
                    "mentorbot_coordinator_channel": COORDINATOR_CHANNEL,
                    "mentorbot_shoutout_channel": SHOUTOUT_CHANNEL,
                    "mentorbot_coordinators": ",".join(emulator.coordinators()),
                },
                env_file=None,
            )
            clock = AdjustableClock(datetime.now(UTC).replace(microsecond=0))
            services = build_services(settings, clock=clock)
            server = serve_in_thread(build_web_app(services, client=web_client(settings)))
            try:
                driver = SlackDriver(server.url + "/slack/events", DEMO_SIGNING_SECRET, emulator)
                yield Stage(
                    driver=driver,
                    emulator=emulator,
                    services=services,
                    clock=clock,
                    outbox=outbox_client(settings),
                )
            finally:
                server.stop()
                services.database.dispose()


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
    # Request logs would interleave with the transcript; warnings and errors still show.
    quieted = {
        name: logging.getLogger(name).level
        for name in ("mentorbot", "slack_bolt", "mentorbot.bolt", "matplotlib")
    }
    for name in quieted:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        return _play(database_url, out)
    finally:
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)


def _play(database_url: str | None, out: TextIO) -> int:
    with demo_stage(database_url) as stage:
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
