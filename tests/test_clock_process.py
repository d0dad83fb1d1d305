"""The real `mentorbot clock`, killed with SIGKILL while Slack fails a third of the calls:
every due nudge is still delivered exactly once (the emulator's record is the proof)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from handlers.nudge_sender import EVENT_TYPE
from storage import nudges as nudge_rows
from storage import relationships
from storage.models import Nudge
from tests.conftest import BOT_TOKEN, POSTGRES_URL
from tests.support import seed_pair

MENTORBOT = str(Path(sys.executable).parent / "mentorbot")
PAIRS = [
    ("U0DOROTHEA01", "U0KOFI01"),
    ("U0RAFAEL01", "U0JONAH01"),
    ("U0TOMAS01", "U0HANA01"),
    ("U0SIOBHAN01", "U0ELODIE01"),
    ("U0PRIYA01", "U0INES01"),
    ("U0AMARA01", "U0WREN01"),
]


def _clock_env(settings, emulator, heartbeat: Path | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_", "OPENAI_", "DATABASE_URL"))
    }
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": emulator.api_url,
            "DATABASE_URL": settings.database_url,
            "MENTORBOT_COORDINATOR_CHANNEL": "C0COORD",
            "MENTORBOT_CLOCK_SECONDS": "1",
            "MENTORBOT_NUDGE_LEASE_SECONDS": "3",
            "MENTORBOT_NUDGE_RETRY_SECONDS": "1",
            "MENTORBOT_LOG_LEVEL": "WARNING",
            "MENTORBOT_DIGEST": "off",
            "MENTORBOT_CLOCK_HEARTBEAT": str(heartbeat or Path(os.devnull)),
        }
    )
    return env


def _seed_due_nudges(services) -> None:
    now = datetime.now(UTC)
    due = now + timedelta(days=3)
    for guide, learner in PAIRS:
        relationship_id, (checkpoint_id,) = seed_pair(
            services.database,
            guide=(guide, "Europe/London"),
            learner=(learner, "Asia/Kolkata"),
            due=[due],
            at=now - timedelta(days=1),
        )
        with services.database.transaction() as session:
            for person, _ in relationships.members(session, relationship_id=relationship_id):
                nudge_rows.plan(
                    session,
                    {
                        "team_id": "T0EMULATOR",
                        "person_id": person.id,
                        "relationship_id": relationship_id,
                        "checkpoint_id": checkpoint_id,
                        "checkpoint_due_at": due,
                        "kind": "before",
                        "send_at": now - timedelta(seconds=5),
                        "dedupe_key": f"before:{checkpoint_id}:{person.id}:{due:%Y%m%dT%H%M}",
                    },
                )


def _posts_by_nudge(emulator) -> dict[int, int]:
    counts: dict[int, int] = {}
    for call in emulator.calls("chat.postMessage"):
        metadata = call.params.get("metadata") or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata.get("event_type") == EVENT_TYPE:
            nudge_id = int(metadata["event_payload"]["nudge_id"])
            counts[nudge_id] = counts.get(nudge_id, 0) + 1
    return counts


def _statuses(services) -> dict[int, str]:
    with services.database.reading() as session:
        return {n.id: n.status for n in session.exec(select(Nudge)).all()}


def _start(env) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [MENTORBOT, "clock"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


@pytest.mark.parametrize("clocks", [1, 2] if POSTGRES_URL else [1])
def test_every_due_nudge_is_delivered_exactly_once_despite_kills_and_faults(
    clocks, services, settings, emulator, tmp_path
):
    _seed_due_nudges(services)
    emulator.set_faults(rate_429=0.17, rate_5xx=0.17)
    heartbeat = tmp_path / "clock.heartbeat"
    env = _clock_env(settings, emulator, heartbeat)
    chaos = random.Random(7)
    for _round in range(4):
        running = [_start(env) for _ in range(clocks)]
        time.sleep(chaos.uniform(1.0, 2.5))
        for process in running:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
    running = [_start(env) for _ in range(clocks)]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            statuses = _statuses(services)
            if statuses and all(s in ("sent", "skipped") for s in statuses.values()):
                break
            time.sleep(0.5)
    finally:
        for process in running:
            process.terminate()
        for process in running:
            _, err = process.communicate(timeout=20)
            assert b"Traceback" not in err, err.decode()[-2000:]
    statuses = _statuses(services)
    assert len(statuses) >= 2 * len(PAIRS)
    assert set(statuses.values()) == {"sent"}, statuses
    posts = _posts_by_nudge(emulator)
    assert posts == {nudge_id: 1 for nudge_id in statuses}
    failed = [c for c in emulator.calls(include_failed=True) if c.status in (429, 500, 503)]
    assert failed, "the emulator should have injected faults"
    assert heartbeat.exists()


def test_clock_check_is_a_readiness_probe(tmp_path, settings, emulator):
    heartbeat = tmp_path / "beat"
    env = _clock_env(settings, emulator, heartbeat)

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [MENTORBOT, "clock", "--check"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert check().returncode == 1
    heartbeat.touch()
    fresh = check()
    assert fresh.returncode == 0
    assert "alive" in fresh.stdout
    old = time.time() - 600
    os.utime(heartbeat, (old, old))
    assert check().returncode == 1
