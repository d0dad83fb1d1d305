"""Configuration: one settings object, failing fast with one line that names the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import ConfigError, load_settings, settings_reference


def test_defaults_need_nothing():
    settings = load_settings({}, env_file=None)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.mentorbot_coordinators == ()
    assert not settings.llm_enabled


def test_coordinators_are_split_and_checked():
    settings = load_settings({"mentorbot_coordinators": "U01ABC, U02DEF"}, env_file=None)
    assert settings.mentorbot_coordinators == ("U01ABC", "U02DEF")
    with pytest.raises(ConfigError, match="MENTORBOT_COORDINATORS"):
        load_settings({"mentorbot_coordinators": "U01ABC,@jane"}, env_file=None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("slack_bot_token", "xoxp-user-token"),
        ("slack_app_token", "xoxb-not-an-app-token"),
        ("slack_signing_secret", "changeme"),
        ("database_url", "postgresql://u@h/db"),
        ("database_url", "mysql://u@h/db"),
        ("slack_api_url", "slack.com/api"),
        ("mentorbot_default_timezone", "Mars/Olympus"),
        ("mentorbot_coordinator_channel", "#mentoring"),
    ],
)
def test_malformed_values_are_named(name, value):
    with pytest.raises(ConfigError) as error:
        load_settings({name: value}, env_file=None)
    message = str(error.value)
    assert name.upper() in message
    assert "\n" not in message


def test_require_lists_every_missing_variable():
    settings = load_settings({}, env_file=None)
    with pytest.raises(ConfigError) as error:
        settings.require(["slack_bot_token", "slack_signing_secret"])
    assert "SLACK_BOT_TOKEN" in str(error.value)
    assert "SLACK_SIGNING_SECRET" in str(error.value)


def test_env_file_is_read(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("MENTORBOT_DEFAULT_TIMEZONE=Europe/Paris\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MENTORBOT_DEFAULT_TIMEZONE", raising=False)
    assert load_settings().mentorbot_default_timezone == "Europe/Paris"


def test_reference_covers_every_setting():
    names = {row[0] for row in settings_reference()}
    for required in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "MENTORBOT_LLM_MODEL",
        "MENTORBOT_COORDINATOR_CHANNEL",
        "MENTORBOT_COORDINATORS",
        "MENTORBOT_DEFAULT_TIMEZONE",
    ):
        assert required in names


def _run_cli(args, env_overrides, cwd):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_", "OPENAI_", "DATABASE_URL", "PORT"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1-2-3"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "nonsense", "SLACK_SIGNING_SECRET": "abc123"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "abc123", "PORT": "http"}, "PORT"),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "abc123",
                "MENTORBOT_DEFAULT_TIMEZONE": "Nowhere/Land",
            },
            "MENTORBOT_DEFAULT_TIMEZONE",
        ),
    ],
)
def test_serve_with_bad_configuration_exits_with_one_line(env, named, tmp_path):
    result = _run_cli(["serve"], env, tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


def test_readme_configuration_table_matches_the_settings():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    for name, default, description in settings_reference():
        shown_default = f"`{default}`" if default else ""
        assert f"| `{name}` | {shown_default} | {description} |" in table, name
