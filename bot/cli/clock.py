"""`mentorbot clock`: the one scheduler process."""

from __future__ import annotations

import logging

from bot.cli.wiring import build_services, check_schema
from bot.config import Settings
from bot.scheduler import Tick, build_scheduler
from handlers.slack_client import web_client
from handlers.sweeps import expire_invitations

log = logging.getLogger("mentorbot.clock")

HEARTBEAT_SECONDS = 60
INVITATION_SWEEP_SECONDS = 300


def run_clock(settings: Settings) -> None:
    settings.require(["slack_bot_token"])
    services = build_services(settings, pool_size=2)
    check_schema(services)
    client = web_client(settings)

    def heartbeat() -> None:
        if not services.database.ping():
            log.warning("clock heartbeat: database unreachable")

    scheduler = build_scheduler(
        [
            Tick("heartbeat", HEARTBEAT_SECONDS, heartbeat),
            Tick(
                "expire_invitations",
                INVITATION_SWEEP_SECONDS,
                lambda: expire_invitations(client, services),
            ),
        ]
    )
    log.info("clock started")
    scheduler.start()
