"""`mentorbot serve`: HTTP mode on gunicorn, each worker building its own app and engine."""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.cli.wiring import build_services, build_web_app, check_schema
from bot.config import Settings

log = logging.getLogger("mentorbot.serve")


class MentorbotServer(BaseApplication):  # type: ignore[misc]
    """gunicorn without a config file: workers load the app after fork, so no engine or
    thread pool is shared across processes."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        services = build_services(self.settings, pool_size=self.options.get("threads", 8))
        return build_web_app(services)


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
    settings.require(["slack_bot_token", "slack_signing_secret"])
    check_schema(build_services(settings, pool_size=1))
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "loglevel": "warning",
    }
    log.info("serving on %s:%s with %s workers", host, port, workers)
    MentorbotServer(settings, options).run()
