"""Fixtures for the operations tests: the production logging set-up run inside a test (and the
process's logging put back after it)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.logs import configure_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state: put it back after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = ("slack_sdk", "slack_bolt", "mentorbot.bolt", "alembic", "apscheduler")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


class JsonLog:
    """Everything the process logs, as `mentorbot serve` would write it, at DEBUG."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def entries(self, logger: str | None = None) -> list[dict[str, Any]]:
        found = [json.loads(line) for line in self.text.splitlines()]
        return [e for e in found if logger is None or e["logger"] == logger]


@pytest.fixture
def json_log(restore_logging: None) -> JsonLog:
    log = JsonLog()
    configure_logging("DEBUG", json_lines=True, stream=log.stream)
    return log
