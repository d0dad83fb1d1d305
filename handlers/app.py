"""The Bolt app factory: one App with every listener from handlers/ registered on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot import dm_gate
from bot.services import Services
from handlers import (
    closure,
    commands,
    console,
    contracting,
    coordination,
    data_rights,
    errors,
    events,
    home,
    invitations,
    leaving,
    mentor_report,
    nudge_actions,
    pool,
    pulse,
    requests,
    thanks,
    workspaces,
)
from handlers.slack_client import web_client
from storage.db import DatabaseUnavailable

LISTENER_THREADS = 16


def create_app(
    services: Services,
    *,
    client: WebClient | None = None,
    token_verification: bool = True,
    request_verification: bool = True,
    listener_threads: int = LISTENER_THREADS,
) -> App:
    """Build the app. `client` defaults to a WebClient on SLACK_API_URL with the bot token.

    With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead of a bot token, the app serves any
    number of workspaces: installed through OAuth (/slack/install), each request answered with
    its own workspace's token from the installation store (see handlers/workspaces.py).

    Listeners run on a pool sized explicitly: a slow listener must not starve later acks.

    `request_verification=False` leaves out Bolt's own signature check, for an app behind a
    front door that has checked every signature already (handlers/web.py's SlackWebApp): the
    same HMAC twice on every request buys nothing.
    """
    settings = services.settings
    base = client or web_client(settings)
    oauth = (
        workspaces.oauth_app_options(settings, services.database, base)
        if settings.multi_workspace
        else {}
    )
    app = App(
        name="mentorbot",
        logger=logging.getLogger("mentorbot.bolt"),
        signing_secret=settings.slack_signing_secret or "",
        client=base,
        token_verification_enabled=token_verification,
        request_verification_enabled=request_verification,
        listener_executor=ThreadPoolExecutor(
            max_workers=listener_threads, thread_name_prefix="mentorbot-listener"
        ),
        **oauth,
    )
    app.use(ServicesMiddleware(services))
    app.use(AnswersMiddleware(services))
    # Bolt tries listeners in the order they were registered, each match costing an argument
    # injection pass: the slash commands, the most frequent requests, go first.
    for module in (
        errors,
        commands,
        events,
        home,
        requests,
        invitations,
        coordination,
        pool,
        contracting,
        nudge_actions,
        thanks,
        closure,
        mentor_report,
        leaving,
        data_rights,
        pulse,
        console,
    ):
        module.register(app)
    return app


class ServicesMiddleware(Middleware):
    """Put the services into every listener's context (functools.partial breaks Bolt's argument
    injection, so this is how listeners reach the domain).

    A Middleware subclass rather than a function: Bolt calls a function middleware through its
    argument injection, which builds every injectable value (say, respond, a client…) for
    each request."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context["services"] = self.services
        return next()


ANSWERS = frozenset({"block_actions", "view_submission"})


class AnswersMiddleware(Middleware):
    """Any click or form from a person answers the bot's nudges to them: they stop counting as
    ignored, and a person the bot had stopped nudging is nudged again (typing a command does
    not count, except `/mentoring resume`, which says so itself)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        context = req.context
        if context.team_id and context.user_id and req.body.get("type") in ANSWERS:
            try:
                dm_gate.heard_from(self.services, team_id=context.team_id, user_id=context.user_id)
            except (SQLAlchemyError, DatabaseUnavailable) as error:
                logging.getLogger("mentorbot.budget").warning(
                    "could not note an answer", extra={"error": type(error).__name__}
                )
        return next()
