"""The clock process: APScheduler ticks a few interval jobs; the database decides what is due.

Jobs are kept in memory (never a persistent job store, which several processes would share
badly); each tick calls a domain sweep that claims due rows atomically, so a restart loses nothing
and two clocks running by mistake do not double the work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger("mentorbot.clock")


@dataclass(frozen=True)
class Tick:
    name: str
    every_seconds: int
    run: Callable[[], object]


def build_scheduler(ticks: list[Tick]) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for tick in ticks:
        scheduler.add_job(
            _logged(tick),
            "interval",
            seconds=tick.every_seconds,
            id=tick.name,
            next_run_time=datetime.now(UTC),
        )
    return scheduler


def _logged(tick: Tick) -> Callable[[], None]:
    def run() -> None:
        try:
            tick.run()
        except Exception:
            log.exception("clock job %s failed; it will run again at the next tick", tick.name)

    run.__name__ = tick.name
    return run
