"""Shared fixtures: a real database per test, the Slack emulator, the real app over HTTP.

Set MENTORBOT_TEST_DATABASE_URL=postgresql+psycopg://… to run the same suite on PostgreSQL
(CI does); otherwise each test gets a fresh SQLite file, copied from one migrated template.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from bot.cli.wiring import build_web_app
from bot.config import Settings, load_settings
from bot.emulator import SlackDriver, SlackEmulator
from bot.local_server import RunningServer, serve_in_thread
from bot.services import Services
from handlers.slack_client import web_client
from storage.db import Database, upgrade
from tests.fake_llm import FakeLLM

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-emulator-token"
TEAM_ID = "T0EMULATOR"
POSTGRES_URL = os.environ.get("MENTORBOT_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database to start every test from: a SQLite file, or the PostgreSQL schema."""
    if POSTGRES_URL:
        upgrade(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path) -> Iterator[str]:
    if POSTGRES_URL:
        _truncate_all(POSTGRES_URL)
        yield POSTGRES_URL
        return
    path = tmp_path / "mentorbot.db"
    shutil.copyfile(_migrated_template, path)
    yield f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    database = Database.from_url(url, pool_size=1)
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    database.dispose()


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        yield running


@pytest.fixture
def settings(database_url: str, emulator: SlackEmulator) -> Settings:
    return load_settings(
        {
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": emulator.api_url,
            "database_url": database_url,
            "mentorbot_coordinator_channel": "C0COORD",
            "mentorbot_coordinators": "U0MARCUS01",
        },
        env_file=None,
    )


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def services(settings: Settings, clock: FrozenClock) -> Iterator[Services]:
    built = Services(
        settings=settings, database=Database.from_url(settings.database_url), clock=clock
    )
    yield built
    built.database.dispose()


@dataclass
class RunningApp:
    server: RunningServer
    services: Services

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def events_url(self) -> str:
        return self.server.url + "/slack/events"


@pytest.fixture
def running_app(services: Services) -> Iterator[RunningApp]:
    web = build_web_app(services, client=web_client(services.settings))
    server = serve_in_thread(web)
    yield RunningApp(server=server, services=services)
    server.stop()


@pytest.fixture
def driver(running_app: RunningApp, emulator: SlackEmulator) -> SlackDriver:
    return SlackDriver(running_app.events_url, SIGNING_SECRET, emulator, team_id=TEAM_ID)


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    """A local OpenAI-compatible model (tests/fake_llm.py) that records every request body."""
    fake = FakeLLM().start()
    yield fake
    fake.stop()
