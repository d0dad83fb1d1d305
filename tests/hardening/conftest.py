"""Module-scoped fixtures for the hardening batteries: one database, one emulator and one running
app per test module, so a module can send thousands of requests without paying for a fresh app
each time.

On SQLite each module gets its own copy of the migrated template; on PostgreSQL
(MENTORBOT_TEST_DATABASE_URL) every table is truncated when the module starts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.program import DOT, TOMAS
from bot.cli.wiring import build_web_app
from bot.config import Settings, load_settings
from bot.emulator import SlackDriver, SlackEmulator
from bot.local_server import serve_in_thread
from bot.services import Services
from handlers.slack_client import web_client
from storage.db import Database
from tests.conftest import (
    BOT_TOKEN,
    POSTGRES_URL,
    SIGNING_SECRET,
    TEAM_ID,
    FrozenClock,
    RunningApp,
    _truncate_all,
)
from tests.hardening.fuzz_support import ACTOR
from tests.support import seed_pair


@pytest.fixture(scope="module")
def module_database_url(
    _migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if POSTGRES_URL:
        _truncate_all(POSTGRES_URL)
        yield POSTGRES_URL
        return
    path = tmp_path_factory.mktemp("hardening") / "mentorbot.db"
    shutil.copyfile(_migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture(scope="module")
def module_emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        yield running


@pytest.fixture(scope="module")
def module_settings(module_database_url: str, module_emulator: SlackEmulator) -> Settings:
    return load_settings(
        {
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": module_emulator.api_url,
            "database_url": module_database_url,
            "mentorbot_coordinator_channel": "C0COORD",
            "mentorbot_coordinators": "U0MARCUS01",
        },
        env_file=None,
    )


@pytest.fixture(scope="module")
def module_services(module_settings: Settings) -> Iterator[Services]:
    built = Services(
        settings=module_settings,
        database=Database.from_url(module_settings.database_url),
        clock=FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
    )
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def module_app(module_services: Services) -> Iterator[RunningApp]:
    web = build_web_app(module_services, client=web_client(module_services.settings))
    server = serve_in_thread(web)
    yield RunningApp(server=server, services=module_services)
    server.stop()


@pytest.fixture(scope="module")
def module_driver(module_app: RunningApp, module_emulator: SlackEmulator) -> SlackDriver:
    return SlackDriver(module_app.events_url, SIGNING_SECRET, module_emulator, team_id=TEAM_ID)


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite:/// URL, None for any other database."""
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None


# -- the fuzz batteries' world -----------------------------------------------------------------


@pytest.fixture(scope="module")
def world(
    module_app: RunningApp, module_driver: SlackDriver, module_emulator: SlackEmulator
) -> tuple[SlackDriver, SlackEmulator, Services]:
    """The actor in the workspace (their manager is Tomás) with a coaching relationship with
    Dot, so /mentoring reflect, plan and end have something to show."""
    module_emulator.add_team(
        "xoxb-emulator-token",
        TEAM_ID,
        [
            {
                "id": ACTOR,
                "name": "actor",
                "real_name": "Fuzz Actor",
                "display_name": "Actor",
                "tz": "America/Chicago",
                "manager": TOMAS,
            }
        ],
    )
    services = module_app.services
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(ACTOR, "America/Chicago"),
        due=[services.now()],
    )
    return module_driver, module_emulator, services
