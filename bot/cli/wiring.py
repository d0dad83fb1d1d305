"""Where Slack, storage and the domain are put together, for every process the CLI starts."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Settings
from bot.llm import build_assistant
from bot.services import Clock, Services
from handlers.app import create_app
from handlers.web import SlackWebApp
from storage.db import Database, current_revision, head_revision


class NotMigrated(Exception):
    """The database schema is behind the code."""


def build_services(
    settings: Settings, *, pool_size: int = 5, clock: Clock | None = None
) -> Services:
    database = Database.from_url(settings.database_url, pool_size=pool_size)
    llm = build_assistant(settings)
    if clock is None:
        return Services(settings=settings, database=database, llm=llm)
    return Services(settings=settings, database=database, clock=clock, llm=llm)


def check_schema(services: Services) -> None:
    current = current_revision(services.database.engine)
    head = head_revision(services.settings.database_url)
    if current != head:
        raise NotMigrated(
            f"the database is at migration {current or 'none'}, the code needs {head}: "
            "run `mentorbot db upgrade`"
        )


def build_app(
    services: Services,
    *,
    client: WebClient | None = None,
    token_verification: bool = True,
    request_verification: bool = True,
) -> App:
    return create_app(
        services,
        client=client,
        token_verification=token_verification,
        request_verification=request_verification,
    )


def build_web_app(
    services: Services, *, client: WebClient | None = None, token_verification: bool = True
) -> SlackWebApp:
    # SlackWebApp checks every signature before Bolt sees the request (it must, to answer
    # 401 rather than 500 to what Bolt cannot parse), so Bolt need not check it again.
    app = build_app(
        services,
        client=client,
        token_verification=token_verification,
        request_verification=False,
    )
    return SlackWebApp(app, services)
