"""`mentorbot demo`: the whole program against the built-in Slack emulator, no tokens, no network.

It migrates a fresh SQLite database, starts the emulator and the real app (the same WSGI
endpoint production runs), drives a scripted session through the signed-request driver exactly
as Slack would, and prints what each person saw.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.cli.wiring import build_services, build_web_app
from bot.config import load_settings
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.render import Seen
from bot.local_server import serve_in_thread
from bot.services import Services
from handlers.slack_client import web_client
from storage.db import upgrade

DEMO_SIGNING_SECRET = "demo-signing-secret-not-for-production"
DEMO_TOKEN = "xoxb-emulator-token"


@dataclass
class Stage:
    """What a demo scene needs: the driver to act as people, the emulator to see the results."""

    driver: SlackDriver
    emulator: SlackEmulator
    services: Services

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


Scene = Callable[[Stage], None]


@contextmanager
def demo_stage(database_url: str | None) -> Iterator[Stage]:
    with tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'demo.db'}"
        upgrade(url)
        with SlackEmulator() as emulator:
            settings = load_settings(
                {
                    "slack_bot_token": DEMO_TOKEN,
                    "slack_signing_secret": DEMO_SIGNING_SECRET,
                    "slack_api_url": emulator.api_url,
                    "database_url": url,
                    "mentorbot_coordinator_channel": "C0COORD",
                    "mentorbot_coordinators": ",".join(emulator.coordinators()),
                },
                env_file=None,
            )
            services = build_services(settings)
            server = serve_in_thread(build_web_app(services, client=web_client(settings)))
            try:
                driver = SlackDriver(server.url + "/slack/events", DEMO_SIGNING_SECRET, emulator)
                yield Stage(driver=driver, emulator=emulator, services=services)
            finally:
                server.stop()
                services.database.dispose()


def scene_first_contact(stage: Stage) -> None:
    amara = "U0AMARA01"
    stage.driver.event(
        {
            "type": "app_home_opened",
            "user": amara,
            "tab": "home",
            "channel": "D0AMARA01",
            "event_ts": f"{time.time():.6f}",
        }
    )
    stage.driver.command(amara, "/mentoring", "")
    stage.driver.command(amara, "/mentoring", "frobnicate")


SCENES: list[tuple[str, Scene]] = [
    ("First contact: the Home tab, help, and a typo", scene_first_contact),
]


def print_transcript(seen: list[Seen], stage: Stage, out: TextIO) -> None:
    for item in seen:
        who = ", ".join(stage.name(user) for user in item.users) or "nobody"
        where = f" in {item.channel}" if item.channel else ""
        article = "an" if item.kind[:1] in "aeiou" else "a"
        out.write(f"\n--- {who} saw {article} {item.kind}{where}\n")
        for line in item.text.splitlines():
            out.write(f"    {line}\n")


def run_demo(*, database_url: str | None = None, out: TextIO = sys.stdout) -> int:
    with demo_stage(database_url) as stage:
        out.write("Mentorbot demo: the real app, driven through the built-in Slack emulator.\n")
        for title, scene in SCENES:
            out.write(f"\n=== {title} ===\n")
            already = len(stage.emulator.seen())
            scene(stage)
            stage.settle()
            print_transcript(stage.emulator.seen()[already:], stage, out)
        failed = [call for call in stage.emulator.calls(include_failed=True) if not call.ok]
        out.write(
            f"\n=== Done: {len(stage.emulator.calls())} Slack API calls, "
            f"{len(failed)} refused ===\n"
        )
    return 0
