"""One workspace or several: which token speaks for which workspace.

Single-workspace mode (SLACK_BOT_TOKEN set) is how Mentorbot always ran: one token, one client.

Multi-workspace mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set, no SLACK_BOT_TOKEN) installs
the app through Slack's OAuth flow: `GET /slack/install` sends the installer to Slack's authorize
page with a one-time `state` (kept in `slack_oauth_states` and in a cookie), and
`GET /slack/oauth_redirect` exchanges the code with `oauth.v2.access` and stores the installation
and its bot token with slack_sdk's SQLAlchemy installation store, in the application's database
(tables of migration 0006). Bolt then looks up each request's workspace token in that store, and
the clock does the same for every message it sends (`InstalledWorkspaces`).

When a workspace uninstalls the app (`app_uninstalled`, or `tokens_revoked` for the bot token),
its tokens are deleted from the store; its data stays until a coordinator erases it, and the
clock sends it nothing more: a nudge that falls due for a workspace with no token is skipped with
the reason `workspace_not_installed` (see `WorkspaceNudgeSender`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.config import Settings
from bot.ports import Delivered, NudgeMessage, SendFailed
from bot.scopes import BOT_SCOPES
from bot.services import Services
from handlers.nudge_sender import SlackNudgeSender
from handlers.slack_client import WEB_API_TIMEOUT_SECONDS, outbox_client, web_client
from storage import nudges, slack_tables
from storage.db import Database

log = logging.getLogger("mentorbot.workspaces")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install must finish within 10 minutes of opening /slack/install
NOT_INSTALLED = "workspace_not_installed"

ClientFor = Callable[[str], WebClient | None]
"""team_id -> a client holding that workspace's bot token, or None when it has none."""


def installation_store(settings: Settings, database: Database) -> SQLAlchemyInstallationStore:
    """slack_sdk's store over the application's own engine and tables (migration 0006)."""
    assert settings.slack_client_id is not None
    return SQLAlchemyInstallationStore(
        client_id=settings.slack_client_id,
        engine=database.engine,
        bots_table_name=slack_tables.BOTS,
        installations_table_name=slack_tables.INSTALLATIONS,
        logger=logging.getLogger("mentorbot.installations"),
    )


def oauth_app_options(settings: Settings, database: Database, client: WebClient) -> dict[str, Any]:
    """Keyword arguments that turn a Bolt App into a multi-workspace OAuth app.

    `client` is the app's base client (SLACK_API_URL, no token): Bolt copies it for every
    request and puts the workspace's token in the copy. The OAuth flow gets its own client on
    the same URL without retry handlers: an `oauth.v2.access` code works once, so a retry after
    a 5xx could only fail."""
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    store = installation_store(settings, database)
    states = SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_SECONDS,
        engine=database.engine,
        table_name=slack_tables.OAUTH_STATES,
        logger=logging.getLogger("mentorbot.oauth"),
    )
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        install_page_rendering_enabled=False,  # /slack/install redirects straight to Slack
        installation_store=store,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        logger=logging.getLogger("mentorbot.oauth"),
    )
    flow_client = WebClient(base_url=settings.slack_api_url, timeout=WEB_API_TIMEOUT_SECONDS)
    authorize = InstallationStoreAuthorize(
        logger=logging.getLogger("mentorbot.oauth"),
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        bot_only=True,  # the app asks for no user scopes: a workspace is its bot token
        cache_enabled=True,  # keyed by token; a deleted installation finds no token first
        client=client,
    )
    return {
        "installation_store": store,
        "installation_store_bot_only": True,
        "authorize": authorize,
        "oauth_flow": OAuthFlow(client=flow_client, settings=oauth_settings),
    }


class InstalledWorkspaces:
    """`ClientFor` over the installation store's bot tokens: each workspace's own token, or
    None once the workspace has uninstalled the app. Looked up on every call (an uninstall
    takes effect at once); one client per token, reused."""

    def __init__(
        self, database: Database, client_id: str, make: Callable[[str], WebClient]
    ) -> None:
        self._database = database
        self._client_id = client_id
        self._make = make
        self._clients: dict[str, WebClient] = {}
        self._lock = Lock()

    def __call__(self, team_id: str) -> WebClient | None:
        with self._database.reading() as session:
            token = slack_tables.bot_token(session, client_id=self._client_id, team_id=team_id)
        if token is None:
            return None
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                client = self._clients[token] = self._make(token)
            return client


def clients_for(settings: Settings, database: Database, *, outbox: bool) -> WebClient | ClientFor:
    """What the clock sends with: the one client (single workspace), or a per-workspace lookup.
    `outbox` picks the exactly-once client for nudges (429s retried only)."""
    factory = outbox_client if outbox else web_client
    if not settings.multi_workspace:
        return factory(settings)
    assert settings.slack_client_id is not None
    return InstalledWorkspaces(
        database, settings.slack_client_id, lambda token: factory(settings, token=token)
    )


@dataclass(frozen=True)
class WorkspaceNudgeSender:
    """The NudgeSender port for several workspaces: each nudge goes out with the token of the
    workspace it belongs to. A workspace without a token (it uninstalled the app) gets nothing:
    the nudge fails permanently with `workspace_not_installed` and the sweep records it as
    skipped with that reason, rather than leaving it pending for every later sweep to claim."""

    services: Services
    clients: ClientFor

    def already_sent(self, message: NudgeMessage) -> Delivered | None:
        return self._sender(message).already_sent(message)

    def send(self, message: NudgeMessage) -> Delivered:
        return self._sender(message).send(message)

    def _sender(self, message: NudgeMessage) -> SlackNudgeSender:
        with self.services.database.reading() as session:
            nudge = nudges.get(session, message.nudge_id)
        client = self.clients(nudge.team_id) if nudge is not None else None
        if client is None:
            raise SendFailed(NOT_INSTALLED, transient=False)
        return SlackNudgeSender(client)
