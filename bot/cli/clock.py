"""`mentorbot clock`: the one scheduler process (a second one by mistake does no harm)."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from slack_sdk import WebClient

from bot import nudge_send
from bot.cli.wiring import build_services, check_schema
from bot.config import Settings
from bot.scheduler import Tick, build_scheduler
from bot.services import Services
from handlers.sweeps import (
    expire_invitations,
    flag_at_risk,
    flag_stuck_stages,
    plan_surveys_and_digest,
    send_nudges,
)
from handlers.workspaces import clients_for

log = logging.getLogger("mentorbot.clock")

HEARTBEAT_SECONDS = 60
INVITATION_SWEEP_SECONDS = 300
AT_RISK_SWEEP_SECONDS = 3600


def run_clock(settings: Settings) -> None:
    settings.require(["slack_bot_token"])
    services = build_services(settings, pool_size=2)
    check_schema(services)
    # One workspace: its token. Several: each workspace's token from the installation store,
    # looked up per message; a workspace that uninstalled the app is sent nothing.
    client = clients_for(settings, services.database, outbox=False)
    outbox = clients_for(settings, services.database, outbox=True)
    worker = nudge_send.worker_name()

    def heartbeat() -> None:
        if services.database.ping():
            Path(settings.mentorbot_clock_heartbeat).touch()
        else:
            log.warning("clock heartbeat: database unreachable")

    def nudge_sweep() -> None:
        for line in send_nudges(outbox, services, worker=worker):
            log.info("nudge %s", line.outcome, extra={"job": "nudges", "outcome": line.outcome})

    scheduler = build_scheduler(
        [
            Tick("heartbeat", HEARTBEAT_SECONDS, heartbeat),
            Tick("nudges", settings.mentorbot_clock_seconds, nudge_sweep),
            Tick("at_risk", AT_RISK_SWEEP_SECONDS, lambda: flag_at_risk(services)),
            Tick("stages", INVITATION_SWEEP_SECONDS, lambda: flag_stuck_stages(services)),
            Tick("surveys", AT_RISK_SWEEP_SECONDS, lambda: plan_surveys_and_digest(services)),
            Tick(
                "expire_invitations",
                INVITATION_SWEEP_SECONDS,
                lambda: expire_invitations(client, services),
            ),
        ]
    )
    log.info("clock started as %s", worker)
    scheduler.start()


def run_jobs_once(
    services: Services,
    *,
    client: WebClient,
    outbox: WebClient,
    worker: str,
    now: datetime | None = None,
) -> list[nudge_send.SweepLine]:
    """What every job of the clock does, once, at `now` (default: the services' clock). The
    sandbox's time travel runs this after each simulated hour, as `mentorbot clock` would."""
    moment = now or services.now()
    flag_at_risk(services, now=moment)
    flag_stuck_stages(services, now=moment)
    plan_surveys_and_digest(services, now=moment)
    expire_invitations(client, services)
    return send_nudges(outbox, services, worker=worker, now=moment)


def run_sweep_once(settings: Settings, *, now: datetime | None, dry_run: bool) -> int:
    """`mentorbot nudges send-due`: one sweep by hand, for operators and tests."""
    settings.require(["slack_bot_token"])
    services = build_services(settings, pool_size=1)
    check_schema(services)
    moment = now or services.now()
    if not dry_run:
        flag_at_risk(services, now=moment)
        flag_stuck_stages(services, now=moment)
    outbox = clients_for(settings, services.database, outbox=True)
    lines = send_nudges(
        outbox, services, worker=nudge_send.worker_name(), now=moment, dry_run=dry_run
    )
    for line in lines:
        print(f"nudge {line.nudge_id} {line.kind} to {line.to}: {line.outcome}")
    print(
        f"{len(lines)} nudge(s) {'would be handled' if dry_run else 'handled'} at "
        f"{moment:%Y-%m-%d %H:%M} UTC"
    )
    return 0


HEARTBEAT_FRESH_SECONDS = 180


def check_heartbeat(settings: Settings) -> int:
    """`mentorbot clock --check`: 0 when the clock ticked (and reached the database) lately."""
    beat = Path(settings.mentorbot_clock_heartbeat)
    if not beat.exists():
        print(f"clock: no heartbeat at {beat}: is `mentorbot clock` running?")
        return 1
    age = time.time() - beat.stat().st_mtime
    if age > HEARTBEAT_FRESH_SECONDS:
        print(f"clock: last heartbeat {age:.0f} s ago (expected within {HEARTBEAT_FRESH_SECONDS})")
        return 1
    print(f"clock: alive, last heartbeat {age:.0f} s ago")
    return 0
