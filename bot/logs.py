"""Logging for every process: JSON lines for servers, plain text for people at a terminal.

A JSON line holds `ts`, `level`, `logger`, `message` and only the extra fields named in `FIELDS`
(pass them with `log.info("...", extra={"team": ..., "status": ...})`); anything else a caller
attaches is dropped, so a request body or a person's text cannot reach the log by accident.

Exceptions are rendered as their type and stack frames, never their message: a database error
repeats the SQL parameters it failed on and a Web API error can repeat the payload, and both may
hold what a person typed.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

FIELDS = (
    "team",
    "payload_type",
    "command",
    "action",
    "status",
    "latency_ms",
    "outcome",
    "job",
    "error",
)
FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Libraries that log request or response bodies at DEBUG (slack_sdk logs every Web API call's
# arguments, message text included): they never go below INFO, whatever --log-level says.
_NEVER_DEBUG = ("slack_sdk", "slack_bolt", "mentorbot.bolt", "openai", "httpx2")
_QUIET = {"alembic": logging.WARNING, "apscheduler": logging.WARNING}

_MARK = "_mentorbot_handler"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def configure_logging(level: str, *, json_lines: bool, stream: TextIO | None = None) -> None:
    """Send every log record to `stream` (stderr by default), one line each. `level` is a name
    such as INFO or DEBUG. Calling it again replaces what an earlier call installed; handlers
    installed by others (a test runner's) are left alone."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    setattr(handler, _MARK, True)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _MARK, False):
            root.removeHandler(old)
            old.close()
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in _NEVER_DEBUG:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
    for name, floor in _QUIET.items():
        logging.getLogger(name).setLevel(max(numeric, floor))


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is when a record is emitted, so a redirection made after
    start-up (a test's capture, a supervisor reopening the stream) is followed."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def current_formatter() -> logging.Formatter | None:
    """The formatter `configure_logging` installed, for servers that keep their own handlers."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, JsonFormatter | TextFormatter):
            return handler.formatter
    return None


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The whitelisted extra fields set on `record`, in `FIELDS` order."""
    found: dict[str, Any] = {}
    for name in FIELDS:
        value = record.__dict__.get(name)
        if value is not None:
            found[name] = value if isinstance(value, int | float | bool) else str(value)
    return found


def safe_traceback(exc_info: ExcInfo) -> list[str]:
    """Python's header (so a search for "Traceback" still finds failures), `file:line in
    function` for each frame, innermost last, then the exception's type without its message."""
    kind, _error, tb = exc_info
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    return ["Traceback (most recent call last):", *frames, _type_name(kind)]


def _type_name(kind: type[BaseException]) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _exc_info(record: logging.LogRecord) -> ExcInfo | None:
    info = record.exc_info
    if info and info[0] is not None and info[1] is not None:
        return (info[0], info[1], info[2])
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(extra_fields(record))
        info = _exc_info(record)
        if info is not None:
            entry.setdefault("error", info[0].__name__)
            entry["traceback"] = safe_traceback(info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger message key=value ...`, for reading at a terminal."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text = saved
        fields = extra_fields(record)
        if fields:
            line += " " + " ".join(f"{k}={_text_value(v)}" for k, v in fields.items())
        info = _exc_info(record)
        if info is not None:
            line += "\n" + _indented(safe_traceback(info))
        return line


def _text_value(value: object) -> str:
    text = str(value)
    return json.dumps(text) if (not text or any(c.isspace() or c == '"' for c in text)) else text


def _indented(lines: Iterable[str]) -> str:
    return "\n".join(f"    {line}" for line in lines)


def _timestamp(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
