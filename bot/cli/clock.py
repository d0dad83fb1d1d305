"""`mentorbot clock`: the one scheduler process."""

from __future__ import annotations

import logging

from bot.cli.wiring import build_services, check_schema
from bot.config import Settings
from bot.scheduler import Tick, build_scheduler

log = logging.getLogger("mentorbot.clock")

HEARTBEAT_SECONDS = 60


def run_clock(settings: Settings) -> None:
    services = build_services(settings, pool_size=2)
    check_schema(services)

    def heartbeat() -> None:
        if not services.database.ping():
            log.warning("clock heartbeat: database unreachable")

    scheduler = build_scheduler([Tick("heartbeat", HEARTBEAT_SECONDS, heartbeat)])
    log.info("clock started")
    scheduler.start()
