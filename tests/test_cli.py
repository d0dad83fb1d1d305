"""The installed `mentorbot` command: help everywhere, migrations from any folder, clean errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main

MENTORBOT = shutil.which("mentorbot", path=str(Path(sys.executable).parent)) or "mentorbot"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_", "OPENAI_", "DATABASE_URL", "PORT"))
    }
    env.update(extra)
    return env


@pytest.mark.parametrize(
    "args",
    [[], ["serve"], ["socket"], ["clock"], ["db"], ["db", "upgrade"], ["db", "current"], ["demo"]],
)
def test_every_subcommand_has_help(args, capsys):
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    assert "usage: mentorbot" in capsys.readouterr().out


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["frobnicate"])
    assert done.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_db_upgrade_from_another_folder(tmp_path):
    database = tmp_path / "elsewhere.db"
    result = subprocess.run(
        [MENTORBOT, "db", "upgrade"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_clean_env(DATABASE_URL=f"sqlite:///{database}"),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert database.exists()
    current = subprocess.run(
        [MENTORBOT, "db", "current"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_clean_env(DATABASE_URL=f"sqlite:///{database}"),
        check=False,
    )
    lines = current.stdout.splitlines()
    assert lines[0].split()[-1] == lines[1].split()[-1] != "none"


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = subprocess.run(
        [MENTORBOT, "serve", "--port", "39999"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_clean_env(
            SLACK_BOT_TOKEN="xoxb-1-2",
            SLACK_SIGNING_SECRET="abc123def",
            DATABASE_URL=f"sqlite:///{tmp_path}/fresh.db",
        ),
    )
    assert result.returncode == 2
    assert "mentorbot db upgrade" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(tmp_path):
    result = subprocess.run(
        [MENTORBOT, "db", "upgrade"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=_clean_env(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none"),
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("mentorbot: error: cannot use the database")
    assert "Traceback" not in result.stderr
