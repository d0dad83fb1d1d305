"""`mentorbot doctor` against the built-in emulator: a healthy set-up, then one fault at a time."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.cli import main
from bot.cli.doctor import run_doctor
from bot.emulator import SlackEmulator
from bot.scopes import BOT_SCOPES, manifest_bot_scopes
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

REPO = Path(__file__).resolve().parents[2]
MENTORBOT = shutil.which("mentorbot", path=str(Path(sys.executable).parent)) or "mentorbot"


def _overrides(emulator: SlackEmulator, database_url: str, **changes: str) -> dict[str, str]:
    values = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": emulator.api_url,
        "database_url": database_url,
        "mentorbot_coordinator_channel": "C0COORD",
    }
    values.update(changes)
    return values


def _doctor(overrides: dict[str, str]) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_doctor(overrides, env_file=None, out=out)
    return code, out.getvalue().splitlines()


def _line(lines: list[str], name: str) -> str:
    return next(line for line in lines if line[2:].startswith(name + ":"))


def _fix_after(lines: list[str], name: str) -> str:
    index = lines.index(_line(lines, name))
    following = lines[index + 1]
    assert following.startswith("    fix: ")
    return following


def test_manifest_and_the_packaged_scope_list_agree():
    text = (REPO / "manifest.yml").read_text(encoding="utf-8")
    assert manifest_bot_scopes(text) == BOT_SCOPES


def test_the_manifest_reader_takes_only_the_bot_scopes():
    text = """\
oauth_config:
  redirect_urls:
    - https://example.com/redirect
  scopes:
    # what the bot may do
    bot:
      - commands
      - "chat:write"   # post messages
    user:
      - search:read
features:
  slash_commands:
    - command: /mentor
"""
    assert manifest_bot_scopes(text) == ("commands", "chat:write")


def test_the_emulator_answers_the_granted_scopes_in_a_header(emulator):
    response = WebClient(base_url=emulator.api_url, token=BOT_TOKEN).auth_test()
    header = {k.lower(): v for k, v in response.headers.items()}["x-oauth-scopes"]
    assert tuple(header.split(",")) == BOT_SCOPES
    with SlackEmulator(scopes=["commands", "chat:write"]) as narrow:
        response = WebClient(base_url=narrow.api_url, token=BOT_TOKEN).users_info(user="U0AMARA01")
        assert response.headers["X-OAuth-Scopes"] == "commands,chat:write"


def test_a_healthy_setup_passes_every_check(emulator, database_url):
    code, lines = _doctor(_overrides(emulator, database_url))
    assert code == 0, "\n".join(lines)
    assert [line[:1] for line in lines[:-1]] == ["✓"] * 5
    assert lines[-1] == "all 5 checks passed"
    assert "works for @mentorbot (U0MENTORBOT)" in _line(lines, "Slack token")
    assert f"all {len(BOT_SCOPES)} bot scopes" in _line(lines, "token scopes")
    assert "at the newest migration" in _line(lines, "database")
    assert "#mentoring-coordinators (C0COORD)" in _line(lines, "coordinator channel")


def test_a_bad_token_fails_and_says_how_to_fix_it(emulator, database_url):
    code, lines = _doctor(_overrides(emulator, database_url, slack_bot_token="xoxb-revoked-1"))
    assert code == 1
    assert _line(lines, "Slack token").startswith("✗ Slack token: Slack refused it (invalid_auth)")
    assert "Bot User OAuth Token" in _fix_after(lines, "Slack token")
    assert "not checked" in _line(lines, "token scopes")
    assert _line(lines, "database").startswith("✓")
    assert lines[-1] == "3 of 5 checks failed"


def test_missing_scopes_are_named(database_url):
    granted = [s for s in BOT_SCOPES if s not in ("files:write", "groups:read")]
    with SlackEmulator(scopes=granted) as narrow:
        code, lines = _doctor(_overrides(narrow, database_url))
    assert code == 1
    line = _line(lines, "token scopes")
    assert line.startswith("✗")
    assert line.endswith("groups:read, files:write")
    assert "reinstall the app" in _fix_after(lines, "token scopes")
    assert _line(lines, "Slack token").startswith("✓")


def test_an_unmigrated_database_says_run_db_upgrade(emulator, tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    code, lines = _doctor(_overrides(emulator, f"sqlite:///{empty}"))
    assert code == 1
    assert "is at migration none; the code needs" in _line(lines, "database")
    assert "mentorbot db upgrade" in _fix_after(lines, "database")


def test_a_missing_sqlite_file_is_reported_and_not_created(emulator, tmp_path):
    missing = tmp_path / "nowhere.db"
    code, lines = _doctor(_overrides(emulator, f"sqlite:///{missing}"))
    assert code == 1
    assert "no such database file" in _line(lines, "database")
    assert not missing.exists()


def test_an_unreachable_database_hides_the_password(emulator):
    url = "postgresql+psycopg://mentorbot:hunter2@127.0.0.1:1/mentorbot"
    code, lines = _doctor(_overrides(emulator, url))
    assert code == 1
    line = _line(lines, "database")
    assert "cannot connect to postgresql+psycopg://mentorbot:***@127.0.0.1:1/mentorbot" in line
    assert "hunter2" not in "\n".join(lines)


def test_an_unknown_channel_fails_with_where_to_find_the_id(emulator, database_url):
    overrides = _overrides(emulator, database_url, mentorbot_coordinator_channel="C0NOSUCH")
    code, lines = _doctor(overrides)
    assert code == 1
    assert "cannot see a channel C0NOSUCH (channel_not_found)" in _line(
        lines, "coordinator channel"
    )
    assert "Channel ID" in _fix_after(lines, "coordinator channel")


def test_an_unset_channel_fails(emulator, database_url):
    overrides = _overrides(emulator, database_url)
    del overrides["mentorbot_coordinator_channel"]
    code, lines = _doctor(overrides)
    assert code == 1
    assert "MENTORBOT_COORDINATOR_CHANNEL is not set" in _line(lines, "coordinator channel")


def test_invalid_settings_fail_first_and_the_rest_is_not_checked(emulator, database_url):
    code, lines = _doctor(_overrides(emulator, database_url, slack_bot_token="xapp-wrong"))
    assert code == 1
    assert _line(lines, "settings").startswith("✗ settings: invalid configuration: SLACK_BOT_TOKEN")
    assert sum("not checked" in line for line in lines) == 4


def test_unreachable_slack_is_reported(database_url):
    overrides = {
        "slack_bot_token": BOT_TOKEN,
        "slack_app_token": "xapp-1-abc",
        "slack_api_url": "http://127.0.0.1:1/api/",
        "database_url": database_url,
        "mentorbot_coordinator_channel": "C0COORD",
    }
    code, lines = _doctor(overrides)
    assert code == 1
    assert "ready for Socket Mode" in _line(lines, "settings")
    assert "cannot reach Slack at http://127.0.0.1:1/api/" in _line(lines, "Slack token")


def test_marks_fall_back_to_ascii_on_a_terminal_that_cannot_show_them(emulator, database_url):
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    assert run_doctor(_overrides(emulator, database_url), env_file=None, out=out) == 0
    out.flush()
    assert raw.getvalue().decode("ascii").startswith("[ok] settings: valid")


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_", "OPENAI_", "DATABASE_URL"))
    }
    env.update(extra)
    return env


def test_the_installed_command_runs_from_any_folder(emulator, database_url, tmp_path):
    env = _env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=database_url,
        MENTORBOT_COORDINATOR_CHANNEL="C0COORD",
    )
    done = subprocess.run(
        [MENTORBOT, "doctor"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "all 5 checks passed"
    bad = subprocess.run(
        [MENTORBOT, "doctor"],
        cwd=tmp_path,
        env={**env, "MENTORBOT_COORDINATOR_CHANNEL": "C0NOSUCH"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1
    assert "channel_not_found" in bad.stdout


@pytest.mark.parametrize("args", [["doctor", "--help"]])
def test_doctor_has_help(args, capsys):
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 0
    assert "exits 0 when all pass" in capsys.readouterr().out
