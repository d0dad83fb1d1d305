"""/healthz answers 503 when the database cannot be reached."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.cli.wiring import build_web_app
from bot.config import load_settings
from bot.local_server import serve_in_thread
from bot.services import Services
from storage.db import Database


def test_healthz_is_503_without_a_database(tmp_path, emulator):
    settings = load_settings(
        {
            "slack_bot_token": "xoxb-emulator-token",
            "slack_signing_secret": "s3cr3t-value",
            "slack_api_url": emulator.api_url,
            "database_url": f"sqlite:///{tmp_path}/missing-folder/nope.db",
        },
        env_file=None,
    )
    services = Services(settings=settings, database=Database.from_url(settings.database_url))
    server = serve_in_thread(build_web_app(services))
    try:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(server.url + "/healthz", timeout=5)
        assert error.value.code == 503
        assert json.loads(error.value.read())["database"] == "unreachable"
    finally:
        server.stop()
