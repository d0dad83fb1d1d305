"""`mentorbot doctor`: can this installation run? One line per check, and how to fix each failure.

Checks, in order: the settings, SLACK_BOT_TOKEN (auth.test), the token's scopes against the ones
manifest.yml asks for (Slack answers them in the X-OAuth-Scopes header), the database and its
migrations, and the coordinator channel. A check that depends on an earlier one that failed is
reported as not checked.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings, load_settings
from bot.scopes import BOT_SCOPES
from storage.db import Database, current_revision, head_revision

DOCTOR_TIMEOUT_SECONDS = 10
SCOPES_HEADER = "x-oauth-scopes"

FIX_CREDENTIAL = (
    "copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page into "
    "SLACK_BOT_TOKEN; if the app was uninstalled or the token revoked, reinstall the app first"
)
FIX_ABOVE = "fix the failure above, then run `mentorbot doctor` again"
FIX_SCOPES = (
    "add them under OAuth & Permissions > Scopes > Bot Token Scopes (or update the app from "
    "manifest.yml), reinstall the app to the workspace, and put the new token in SLACK_BOT_TOKEN"
)
FIX_CHANNEL = (
    "use the channel's id (channel name > About > Channel ID, like C012AB3CD) in "
    "MENTORBOT_COORDINATOR_CHANNEL; for a private channel, invite the bot first: /invite @Mentorbot"
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


@dataclass(frozen=True)
class Token:
    """What auth.test said about the bot token."""

    user: str
    user_id: str
    team: str
    team_id: str
    scopes: frozenset[str] | None  # None when Slack sent no X-OAuth-Scopes header


def run_doctor(
    overrides: Mapping[str, object] | None = None,
    *,
    env_file: str | None = ".env",
    out: TextIO | None = None,
) -> int:
    """Run every check, print one line each; 0 when all pass, 1 otherwise."""
    with _quiet("slack_sdk"):  # a failed call is explained by its check, not a log line
        checks = diagnose(overrides, env_file=env_file)
    stream = out or sys.stdout
    good, bad = _marks(stream)
    for check in checks:
        print(f"{good if check.ok else bad} {check.name}: {check.detail}", file=stream)
        if not check.ok and check.fix:
            print(f"    fix: {check.fix}", file=stream)
    failed = sum(not check.ok for check in checks)
    if failed:
        print(f"{failed} of {len(checks)} checks failed", file=stream)
        return 1
    print(f"all {len(checks)} checks passed", file=stream)
    return 0


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    saved = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(saved)


def diagnose(
    overrides: Mapping[str, object] | None = None, *, env_file: str | None = ".env"
) -> list[Check]:
    settings_check, settings = check_settings(overrides, env_file=env_file)
    checks = [settings_check]
    if settings is None:
        skipped = "not checked: the settings must load first"
        for name in ("Slack token", "token scopes", "database", "coordinator channel"):
            checks.append(Check(name, False, skipped, FIX_ABOVE))
        return checks
    token_check, token = check_token(settings)
    checks.append(token_check)
    checks.append(check_scopes(token))
    checks.append(check_database(settings))
    checks.append(check_channel(settings, token))
    return checks


def check_settings(
    overrides: Mapping[str, object] | None, *, env_file: str | None
) -> tuple[Check, Settings | None]:
    try:
        settings = load_settings(overrides, env_file=env_file)
    except ConfigError as error:
        fix = "set each variable named above in the environment or in .env (see the README)"
        return Check("settings", False, str(error), fix), None
    missing = [name for name in ("slack_bot_token",) if not getattr(settings, name)]
    modes = []
    if settings.slack_signing_secret:
        modes.append("HTTP mode (SLACK_SIGNING_SECRET)")
    if settings.slack_app_token:
        modes.append("Socket Mode (SLACK_APP_TOKEN)")
    if missing or not modes:
        needed = [n.upper() for n in missing]
        if not modes:
            needed.append("SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)")
        fix = "copy them from your Slack app's settings into the environment or .env"
        return Check("settings", False, "missing " + ", ".join(needed), fix), settings
    return Check("settings", True, "valid; ready for " + " and ".join(modes)), settings


def _client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=DOCTOR_TIMEOUT_SECONDS,
    )


def check_token(settings: Settings) -> tuple[Check, Token | None]:
    name = "Slack token"
    if not settings.slack_bot_token:
        return Check(name, False, "SLACK_BOT_TOKEN is not set", FIX_CREDENTIAL), None
    try:
        response = _client(settings).auth_test()
    except SlackApiError as error:
        reason = error.response.get("error") if error.response is not None else None
        detail = f"Slack refused it ({reason or 'unknown error'})"
        return Check(name, False, detail, FIX_CREDENTIAL), None
    except (SlackClientError, OSError) as error:
        return _unreachable(name, settings, error), None
    header = _header(response.headers, SCOPES_HEADER)
    scopes = None if header is None else frozenset(s.strip() for s in header.split(",") if s)
    token = Token(
        user=str(response.get("user") or ""),
        user_id=str(response.get("user_id") or ""),
        team=str(response.get("team") or ""),
        team_id=str(response.get("team_id") or ""),
        scopes=scopes,
    )
    detail = f"works for @{token.user} ({token.user_id}) in {token.team} ({token.team_id})"
    return Check(name, True, detail), token


def _unreachable(name: str, settings: Settings, error: BaseException) -> Check:
    reason = getattr(error, "reason", None) or error
    detail = f"cannot reach Slack at {settings.slack_api_url} ({reason})"
    fix = "check the network, proxy and firewall, and SLACK_API_URL (unset it for real Slack)"
    return Check(name, False, detail, fix)


def _header(headers: Mapping[str, object], wanted: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value[0] if isinstance(value, list) and value else value)
    return None


def check_scopes(token: Token | None) -> Check:
    name = "token scopes"
    if token is None:
        return Check(name, False, "not checked: the token does not work", FIX_ABOVE)
    if token.scopes is None:
        detail = "Slack did not say which scopes the token has (no X-OAuth-Scopes header)"
        return Check(name, False, detail, "check that SLACK_API_URL points at Slack's Web API")
    missing = [scope for scope in BOT_SCOPES if scope not in token.scopes]
    if missing:
        detail = f"missing {len(missing)} of the manifest's bot scopes: {', '.join(missing)}"
        return Check(name, False, detail, FIX_SCOPES)
    return Check(name, True, f"all {len(BOT_SCOPES)} bot scopes in manifest.yml are granted")


def check_database(settings: Settings) -> Check:
    name = "database"
    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    fix_reach = "check DATABASE_URL, and that the database server is running and reachable"
    if _missing_sqlite_file(url.get_backend_name(), url.database):
        detail = f"{shown}: no such database file"
        return Check(
            name, False, detail, "run `mentorbot db upgrade` to create it, or fix DATABASE_URL"
        )
    database = Database.from_url(settings.database_url, pool_size=1)
    try:
        current = current_revision(database.engine)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return Check(name, False, f"cannot connect to {shown} ({reason})", fix_reach)
    finally:
        database.dispose()
    head = head_revision(settings.database_url)
    if current != head:
        detail = f"{shown} is at migration {current or 'none'}; the code needs {head}"
        return Check(name, False, detail, "run `mentorbot db upgrade`")
    return Check(name, True, f"{shown} is reachable and at the newest migration ({head})")


def _missing_sqlite_file(backend: str, path: str | None) -> bool:
    """Opening a SQLite file that is not there would create an empty one: look first."""
    return (
        backend == "sqlite" and path not in (None, "", ":memory:") and not Path(str(path)).exists()
    )


def check_channel(settings: Settings, token: Token | None) -> Check:
    name = "coordinator channel"
    channel_id = settings.mentorbot_coordinator_channel
    if not channel_id:
        return Check(name, False, "MENTORBOT_COORDINATOR_CHANNEL is not set", FIX_CHANNEL)
    if token is None:
        detail = f"{channel_id} not checked: the token does not work"
        return Check(name, False, detail, FIX_ABOVE)
    try:
        response = _client(settings).conversations_info(channel=channel_id)
    except SlackApiError as error:
        reason = error.response.get("error") if error.response is not None else None
        if reason == "channel_not_found":
            detail = f"the bot cannot see a channel {channel_id} (channel_not_found)"
            return Check(name, False, detail, FIX_CHANNEL)
        if reason == "missing_scope":
            detail = f"the token may not read {channel_id} (missing_scope)"
            return Check(name, False, detail, FIX_SCOPES)
        return Check(name, False, f"Slack refused conversations.info ({reason})", FIX_CHANNEL)
    except (SlackClientError, OSError) as error:
        return _unreachable(name, settings, error)
    channel = response.get("channel") or {}
    label = f"#{channel.get('name')} ({channel_id})" if channel.get("name") else channel_id
    if channel.get("is_archived"):
        fix = "unarchive it, or point MENTORBOT_COORDINATOR_CHANNEL at the channel now in use"
        return Check(name, False, f"{label} is archived", fix)
    if not channel.get("is_member"):
        detail = f"{label} exists and the bot can see it (not a member; it posts there with "
        return Check(name, True, detail + "chat:write.public)")
    return Check(name, True, f"{label} exists and the bot can see it (a member)")


def _marks(stream: TextIO) -> tuple[str, str]:
    encoding = getattr(stream, "encoding", None) or "utf-8"  # None: an in-memory text stream
    try:
        "✓✗".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "[ok]", "[FAIL]"
    return "✓", "✗"
