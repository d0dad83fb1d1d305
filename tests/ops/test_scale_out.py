"""The real `mentorbot serve` with several workers answers 200 concurrent commands, loses none,
and remembers each of the 200 people exactly once (PostgreSQL only: SQLite is one writer)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.emulator import SlackDriver, SlackEmulator
from storage.db import Database
from tests.conftest import BOT_TOKEN, POSTGRES_URL, SIGNING_SECRET, TEAM_ID

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set MENTORBOT_TEST_DATABASE_URL"
)

MENTORBOT = shutil.which("mentorbot", path=str(Path(sys.executable).parent)) or "mentorbot"
PEOPLE = 200
CLIENTS = 50
WORKERS, THREADS = 3, 8
BOOT_TIMEOUT = 30.0
REMEMBER_TIMEOUT = 30.0
SLACK_ACK_SECONDS = 3.0


def _people() -> list[dict[str, Any]]:
    return [
        {
            "id": f"U0LOAD{n:04d}",
            "name": f"load.person{n}",
            "real_name": f"Load Person {n}",
            "display_name": f"Load {n}",
            "tz": "Europe/Berlin",
            "manager": None,
            "coordinator": False,
        }
        for n in range(PEOPLE)
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_", "OPENAI_", "DATABASE_URL", "PORT"))
    }
    env.update(extra)
    return env


@pytest.fixture
def crowd() -> Iterator[SlackEmulator]:
    with SlackEmulator(users=_people(), channels={}) as running:
        yield running


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mentorbot serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"no healthy /healthz within {BOOT_TIMEOUT}s:\n{log.read_text()}")


def _help_text(message: dict[str, Any] | None) -> str:
    if not message:
        return ""
    parts = [str(message.get("text", ""))]
    parts += [str(b.get("text", {}).get("text", "")) for b in message.get("blocks", [])]
    return "\n".join(parts)


def _remembered(database: Database) -> tuple[int, int, int]:
    """(rows, distinct people, people with a name from users.info) among the load users."""
    query = text(
        "SELECT count(*), count(DISTINCT slack_user_id), count(*) FILTER (WHERE display_name <> '')"
        " FROM people WHERE team_id = :team AND slack_user_id LIKE 'U0LOAD%'"
    )
    with database.engine.connect() as connection:
        rows, distinct, named = connection.execute(query, {"team": TEAM_ID}).one()
    return int(rows), int(distinct), int(named)


def test_three_workers_answer_200_concurrent_commands_and_lose_none(crowd, database_url, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    started = time.monotonic()
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [
                *(MENTORBOT, "serve", "--host", "127.0.0.1", "--port", str(port)),
                *("--workers", str(WORKERS), "--threads", str(THREADS)),
            ],
            cwd=tmp_path,
            env=_env(
                SLACK_BOT_TOKEN=BOT_TOKEN,
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_API_URL=crowd.api_url,
                DATABASE_URL=database_url,
            ),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    database = Database.from_url(database_url, pool_size=1)
    try:
        _wait_healthy(base, server, log)
        booted = time.monotonic()

        driver = SlackDriver(base + "/slack/events", SIGNING_SECRET, crowd, team_id=TEAM_ID)
        users = [person["id"] for person in _people()]
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            replies = list(pool.map(lambda u: driver.command(u, "/mentoring", "help"), users))
        answered = time.monotonic()

        assert [r.status for r in replies] == [200] * PEOPLE
        for reply in replies:
            shown = _help_text(reply.as_message())
            assert "Here is what Mentorbot can do." in shown
            assert "/mentoring help" in shown
        slowest = max(r.elapsed for r in replies)
        assert slowest < SLACK_ACK_SECONDS, f"an ack took {slowest:.2f}s"

        deadline = time.monotonic() + REMEMBER_TIMEOUT
        while _remembered(database)[2] < PEOPLE and time.monotonic() < deadline:
            time.sleep(0.1)
        remembered = time.monotonic()
        assert _remembered(database) == (PEOPLE, PEOPLE, PEOPLE)
        looked_up = sorted(c.params["user"] for c in crowd.calls("users.info"))
        assert looked_up == sorted(users)  # each person asked of Slack once
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise
        database.dispose()
    assert code == 0, log.read_text()

    lines = log.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line the server wrote is JSON
    requests = [e for e in entries if e["logger"] == "mentorbot.web"]
    assert len(requests) == PEOPLE
    assert {(e["outcome"], e["status"], e["command"]) for e in requests} == {
        ("ok", 200, "/mentoring")
    }
    latencies = sorted(e["latency_ms"] for e in requests)
    print(
        f"\nserve --workers {WORKERS} --threads {THREADS}: boot {booted - started:.2f}s, "
        f"{PEOPLE} commands from {CLIENTS} clients answered in {answered - booted:.2f}s "
        f"(slowest round trip {slowest * 1000:.0f} ms; server latency p50 "
        f"{latencies[PEOPLE // 2]:.1f} ms, p95 {latencies[PEOPLE * 95 // 100]:.1f} ms), "
        f"all {PEOPLE} people remembered {remembered - answered:.2f}s later"
    )
