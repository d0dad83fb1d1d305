"""Structured logs: the JSON line shape, the field whitelist, safe exceptions, the CLI flags."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from bot.cli import build_parser, log_format, main
from bot.logs import FIELDS, JsonFormatter, TextFormatter, configure_logging

SECRET = "my manager Gertrude keeps undermining me"


def _record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("mentorbot.test", logging.INFO, __file__, 10, message, args, None)
    record.__dict__.update(extra)
    return record


def test_json_line_has_the_core_fields_and_only_whitelisted_extras():
    record = _record(
        "hello %s",
        "world",
        team="T1",
        status=200,
        latency_ms=1.5,
        outcome="ok",
        text=SECRET,
        body="payload=...",
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "mentorbot.test"
    assert entry["message"] == "hello world"
    assert entry["ts"].endswith("Z") and "T" in entry["ts"]
    assert {k: entry[k] for k in ("team", "status", "latency_ms", "outcome")} == {
        "team": "T1",
        "status": 200,
        "latency_ms": 1.5,
        "outcome": "ok",
    }
    assert set(entry) <= {"ts", "level", "logger", "message", *FIELDS}
    assert SECRET not in line


def test_an_exception_is_logged_by_type_and_frames_never_its_message():
    try:
        raise ValueError(f"INSERT failed [parameters: ('{SECRET}',)]")
    except ValueError:
        record = logging.LogRecord(
            "mentorbot.test", logging.ERROR, __file__, 1, "it failed", (), None
        )
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["error"] == "ValueError"
    assert entry["traceback"][0] == "Traceback (most recent call last):"
    assert entry["traceback"][-1] == "ValueError"
    assert any("test_logs.py" in frame for frame in entry["traceback"])
    text = TextFormatter().format(record)
    for rendered in (json.dumps(entry), text):
        assert SECRET not in rendered
        assert "INSERT failed" not in rendered
    assert text.splitlines()[0].endswith("it failed")
    assert text.splitlines()[-1].strip() == "ValueError"


def test_text_lines_carry_the_extras_as_key_values():
    line = TextFormatter().format(_record("done", team="T1", job="expire", text=SECRET))
    assert line.endswith("INFO mentorbot.test done team=T1 job=expire")


def test_configure_logging_writes_json_lines_and_keeps_slack_libraries_out_of_debug(
    restore_logging,
):
    stream = io.StringIO()
    configure_logging("debug", json_lines=True, stream=stream)
    configure_logging("debug", json_lines=True, stream=stream)  # again: no duplicate handler
    logging.getLogger("mentorbot.x").debug("one", extra={"job": "sweep"})
    logging.getLogger("slack_sdk.web.base_client").debug("Sending a request - body: %s", SECRET)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["one"]
    assert json.loads(lines[0])["job"] == "sweep"
    assert logging.getLogger("slack_sdk").getEffectiveLevel() == logging.INFO


def test_configure_logging_rejects_an_unknown_level(restore_logging):
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging("chatty", json_lines=False)


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["serve"], None, "json"),
        (["socket"], None, "json"),
        (["clock"], None, "json"),
        (["db", "upgrade"], None, "text"),
        (["doctor"], None, "text"),
        (["demo"], None, "text"),
        (["serve"], "text", "text"),
        (["doctor"], "JSON", "json"),
        (["--log-format", "text", "serve"], "json", "text"),
        (["--log-format", "json", "db", "current"], None, "json"),
    ],
)
def test_log_format_defaults_by_command_env_then_flag(argv, env, expected, monkeypatch):
    if env is None:
        monkeypatch.delenv("MENTORBOT_LOG_FORMAT", raising=False)
    else:
        monkeypatch.setenv("MENTORBOT_LOG_FORMAT", env)
    assert log_format(build_parser().parse_args(argv)) == expected


def test_a_bad_log_format_or_level_is_a_one_line_usage_error(monkeypatch, capsys):
    monkeypatch.setenv("MENTORBOT_LOG_FORMAT", "xml")
    assert main(["db", "current"]) == 2
    assert capsys.readouterr().err.strip() == (
        "mentorbot: error: MENTORBOT_LOG_FORMAT must be json or text, not 'xml'"
    )
    monkeypatch.delenv("MENTORBOT_LOG_FORMAT")
    assert main(["--log-level", "chatty", "db", "current"]) == 2
    assert "unknown log level" in capsys.readouterr().err
