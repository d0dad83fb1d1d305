"""Events API: de-duplicating Slack's retries before any listener runs, and uninstalls."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.oauth.installation_store import InstallationStore

from bot.services import Services
from storage import audit, events

log = logging.getLogger("mentorbot.events")

SLACK_ACTOR = "slack"  # the audit log's actor for what Slack tells us happened to a workspace


class DropEventRetries(Middleware):
    """Slack re-sends an event when it thinks we missed it; run each event id once.

    Event ids are unique per workspace, not across them: the receipt is keyed by (team, event id),
    so the same id from two workspaces is two events. A Middleware subclass, as it runs for
    every request: Bolt calls function middleware through its (costly) argument injection."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body, context = req.body, req.context
        if body.get("type") != "event_callback" or not body.get("event_id"):
            return next()
        services: Services = context["services"]
        with services.database.transaction() as session:
            first = events.first_receipt(
                session,
                team_id=str(body.get("team_id") or context.team_id or ""),
                event_id=str(body["event_id"]),
                at=services.now(),
            )
        if not first:
            return BoltResponse(status=200, body="")
        return next()


def _team(body: dict[str, Any], context: BoltContext) -> str:
    return str(context.team_id or body.get("team_id") or "")


def _record(context: BoltContext, team_id: str, action: str, detail: dict[str, Any]) -> None:
    """Nothing is erased here: people's data stays until a coordinator erases it."""
    services: Services = context["services"]
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=SLACK_ACTOR,
            action=action,
            at=services.now(),
            detail=detail,
        )


def _uninstalled(store: InstallationStore | None) -> Callable[..., None]:
    def app_uninstalled(body: dict[str, Any], context: BoltContext) -> None:
        """The workspace removed the app: forget its tokens, so nothing is sent there again."""
        team_id = _team(body, context)
        if store is not None:
            store.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
        else:
            log.warning(
                "Mentorbot was uninstalled from workspace %s: SLACK_BOT_TOKEN no longer works",
                team_id,
            )
        _record(context, team_id, "workspace.uninstalled", {"tokens_deleted": store is not None})

    return app_uninstalled


def _tokens_revoked(store: InstallationStore | None) -> Callable[..., None]:
    def tokens_revoked(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        """Some of the workspace's tokens were revoked. The bot token is the app's only way in
        (it asks for no user scopes), so its revocation removes the whole installation, as an
        uninstall does; installer (user) tokens remove only that person's installation rows."""
        team_id = _team(body, context)
        tokens = event.get("tokens") or {}
        users = [str(u) for u in tokens.get("oauth") or []]
        bots = [str(b) for b in tokens.get("bot") or []]
        if store is not None:
            for user_id in users:
                store.delete_installation(
                    enterprise_id=context.enterprise_id, team_id=team_id, user_id=user_id
                )
            if bots:
                store.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
        _record(
            context,
            team_id,
            "workspace.tokens_revoked",
            {"bot": bool(bots), "users": len(users), "tokens_deleted": store is not None},
        )

    return tokens_revoked


def register(app: App) -> None:
    app.middleware(DropEventRetries())
    store = app.installation_store  # None with a single SLACK_BOT_TOKEN
    app.event("app_uninstalled")(_uninstalled(store))
    app.event("tokens_revoked")(_tokens_revoked(store))
