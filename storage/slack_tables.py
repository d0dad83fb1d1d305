"""Slack's OAuth tables, on SQLModel.metadata next to Mentorbot's own.

In multi-workspace mode slack_sdk's SQLAlchemy stores keep each workspace's installation and bot
token (`slack_installations`, `slack_bots`) and the OAuth `state` values of installs in progress
(`slack_oauth_states`) in the application's database. Migration 0006 creates them; registering
their shape here, with the stores' own `build_*_table` helpers, keeps Alembic's autogenerate and
the schema test from taking them for strays, and makes a slack_sdk upgrade that changes them show
up as a schema difference (a new migration is then needed) rather than as a failed insert.

`storage.migrations.env` and `handlers.workspaces` import this module; importing it twice is
harmless. The bot token and installation tables carry `team_id`; OAuth states belong to no
workspace yet (an install in progress).

Only the table builders are imported from slack_sdk: no Web API client, nothing Slack-facing.
"""

from __future__ import annotations

# Table shapes only; the stores themselves are built in handlers/workspaces.py.
from slack_sdk.oauth.installation_store.sqlalchemy import (  # noqa: TID251
    SQLAlchemyInstallationStore,
)
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore  # noqa: TID251
from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel

# "slack_bots", "slack_installations", "slack_oauth_states": the stores' default names
BOTS = SQLAlchemyInstallationStore.default_bots_table_name
INSTALLATIONS = SQLAlchemyInstallationStore.default_installations_table_name
OAUTH_STATES = SQLAlchemyOAuthStateStore.default_table_name
NAMES = frozenset({BOTS, INSTALLATIONS, OAUTH_STATES})


def _register() -> tuple[Table, Table, Table]:
    metadata = SQLModel.metadata
    if BOTS not in metadata.tables:
        SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS)
    if INSTALLATIONS not in metadata.tables:
        SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS)
    if OAUTH_STATES not in metadata.tables:
        SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, OAUTH_STATES)
    return metadata.tables[BOTS], metadata.tables[INSTALLATIONS], metadata.tables[OAUTH_STATES]


bots, installations, oauth_states = _register()


def bot_token(session: Session, *, client_id: str, team_id: str) -> str | None:
    """The newest bot token installed in the workspace, or None when it has none (never
    installed, or uninstalled). By team alone: a workspace of an Enterprise Grid org is
    stored with its enterprise id, which the clock does not know."""
    statement = (
        select(bots.c.bot_token)
        .where(
            bots.c.client_id == client_id,
            bots.c.team_id == team_id,
            bots.c.bot_token.is_not(None),
        )
        .order_by(bots.c.installed_at.desc(), bots.c.id.desc())
        .limit(1)
    )
    token = session.execute(statement).scalar_one_or_none()
    return str(token) if token else None
