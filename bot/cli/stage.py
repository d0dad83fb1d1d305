"""The emulated workspace the demo and the sandbox both play on: a migrated SQLite database, the
built-in Slack emulator, and the real app (the same WSGI endpoint production runs) on loopback,
driven through the signed-request driver. No tokens, no network."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from slack_sdk import WebClient

from bot.cli.wiring import build_services, build_web_app
from bot.config import load_settings
from bot.emulator import SlackDriver, SlackEmulator, seed_users
from bot.emulator.actor import Actor
from bot.local_server import serve_in_thread
from bot.services import AdjustableClock, Services
from handlers.slack_client import outbox_client, web_client
from storage.db import upgrade

SIGNING_SECRET = "demo-signing-secret-not-for-production"  # noqa: S105 - emulator only
BOT_TOKEN = "xoxb-emulator-token"  # noqa: S105 - only valid against the emulator
TEAM_ID = "T0EMULATOR"
COORDINATOR_CHANNEL = "C0COORD"
SHOUTOUT_CHANNEL = "C0KUDOS"


@dataclass
class Stage:
    """What a scene needs: the driver to act as people, the emulator to see the results."""

    driver: SlackDriver
    emulator: SlackEmulator
    services: Services
    clock: AdjustableClock
    outbox: WebClient
    client: WebClient

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
def emulated_stage(
    database_url: str | None = None, *, clock: AdjustableClock | None = None
) -> Iterator[Stage]:
    """A fresh stage; by default on a new SQLite file in a temporary folder, removed after."""
    with tempfile.TemporaryDirectory(prefix="mentorbot-stage-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'mentorbot.db'}"
        upgrade(url)
        with SlackEmulator() as emulator:
            everyone = [str(user["id"]) for user in seed_users()]
            emulator.add_channel(SHOUTOUT_CHANNEL, "kudos", everyone)
            settings = load_settings(
                {
                    "slack_bot_token": BOT_TOKEN,
                    "slack_signing_secret": SIGNING_SECRET,
                    "slack_api_url": emulator.api_url,
                    "database_url": url,
                    "mentorbot_coordinator_channel": COORDINATOR_CHANNEL,
                    "mentorbot_shoutout_channel": SHOUTOUT_CHANNEL,
                    "mentorbot_coordinators": ",".join(emulator.coordinators()),
                },
                env_file=None,
            )
            moved = clock or AdjustableClock(datetime.now(UTC).replace(microsecond=0))
            services = build_services(settings, clock=moved)
            client = web_client(settings)
            server = serve_in_thread(build_web_app(services, client=client))
            try:
                driver = SlackDriver(server.url + "/slack/events", SIGNING_SECRET, emulator)
                yield Stage(
                    driver=driver,
                    emulator=emulator,
                    services=services,
                    clock=moved,
                    outbox=outbox_client(settings),
                    client=client,
                )
            finally:
                server.stop()
                services.database.dispose()


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Request logs would drown what people see; warnings and errors still show."""
    quieted = {
        name: logging.getLogger(name).level
        for name in ("mentorbot", "slack_bolt", "mentorbot.bolt", "matplotlib")
    }
    for name in quieted:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)
