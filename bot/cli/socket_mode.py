"""`mentorbot socket`: Socket Mode, for workspaces where Slack cannot reach a public URL."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.cli.wiring import build_app, build_services, check_schema
from bot.config import Settings


def run_socket_mode(settings: Settings) -> None:
    settings.require(["slack_bot_token", "slack_app_token"])
    services = build_services(settings)
    check_schema(services)
    app = build_app(services)
    SocketModeHandler(app, app_token=settings.slack_app_token).start()  # type: ignore[no-untyped-call]
