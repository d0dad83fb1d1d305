"""`mentorbot serve`: HTTP mode on gunicorn, each worker building its own app and engine."""

from __future__ import annotations

import gc
import logging
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from bot.cli.wiring import build_services, build_web_app, check_schema
from bot.config import Settings
from bot.logs import current_formatter

log = logging.getLogger("mentorbot.serve")

# gunicorn 25.1+ opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn by default: a second
# server on the host would fight over it and a read-only home cannot hold it. Nothing uses it.
OPTIONAL_SETTINGS = frozenset({"control_socket_disable"})


class MentorbotServer(BaseApplication):  # type: ignore[misc]
    """gunicorn without a config file: workers load the app after fork, so no engine or
    thread pool is shared across processes."""

    def __init__(self, settings: Settings, options: dict[str, Any], *, pool_size: int) -> None:
        self.settings = settings
        self.options = options
        self.pool_size = pool_size
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in OPTIONAL_SETTINGS and key not in self.cfg.settings:
                continue  # an older gunicorn without that setting
            self.cfg.set(key, value)

    def load(self) -> Any:
        services = build_services(self.settings, pool_size=self.pool_size)
        app = build_web_app(services)
        settle_heap()
        return app


def settle_heap() -> None:
    """Move everything start-up made (modules, the app, SQLAlchemy's mappers: a quarter of a
    million objects) out of the garbage collector's sight. A full collection then scans only
    what requests made since, in a few milliseconds instead of a couple of hundred during which
    every request thread of the worker stands still (the slowest acks under load)."""
    gc.collect()
    gc.freeze()


class ServerLogger(GunicornLogger):  # type: ignore[misc]
    """gunicorn's own lines (workers booting, signals) in the format `--log-format` chose.
    Its access log stays off: the app logs one line per Slack request, without bodies."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = current_formatter()
        if formatter is not None:
            for handler in self.error_log.handlers:
                handler.setFormatter(formatter)


def pool_size_for(threads: int) -> int:
    """Database connections per worker: one per request thread. The engine may open as many
    again as overflow, which covers the listener threads that finish work after the ack."""
    return threads


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
    settings.require(["slack_bot_token", "slack_signing_secret"])
    services = build_services(settings, pool_size=1)
    try:
        check_schema(services)
    finally:
        services.database.dispose()  # no connection may be inherited by the forked workers
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "logger_class": ServerLogger,
        "loglevel": _gunicorn_level(),
        "control_socket_disable": True,
    }
    log.info("serving on %s:%s with %s workers of %s threads", host, port, workers, threads)
    MentorbotServer(settings, options, pool_size=pool_size_for(threads)).run()


def _gunicorn_level() -> str:
    level = logging.getLogger().getEffectiveLevel()
    for name, number in (("debug", 10), ("info", 20), ("warning", 30), ("error", 40)):
        if level <= number:
            return name
    return "critical"
