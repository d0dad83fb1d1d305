"""One settings object, read from the environment (and an optional `.env`) once, at start.

Every process (web, socket, clock, CLI) builds `Settings` through `load_settings`, which turns
pydantic's validation errors into one readable line naming each bad variable, and
`Settings.require` checks the variables a given mode cannot run without.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
SQLITE_DEFAULT = "sqlite:///mentorbot.db"
PLACEHOLDERS = frozenset({"changeme", "change-me", "xxx", "todo", "secret", "placeholder"})

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_CLIENT_ID = re.compile(r"^[0-9]+\.[0-9]+$")


class ConfigError(Exception):
    """Configuration is missing or malformed; the message is one line meant for an operator."""


class Settings(BaseSettings):
    """Mentorbot's configuration. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: str | None = Field(
        default=None, description="Bot token (xoxb-…) for a single-workspace install."
    )
    slack_signing_secret: str | None = Field(
        default=None, description="Signing secret that verifies requests from Slack (HTTP mode)."
    )
    slack_app_token: str | None = Field(
        default=None,
        description="App-level token (xapp-…) with connections:write, for Socket Mode.",
    )
    slack_client_id: str | None = Field(
        default=None,
        description="Client ID (Basic Information) of an app installed in several workspaces "
        "through /slack/install; used with SLACK_CLIENT_SECRET instead of SLACK_BOT_TOKEN.",
    )
    slack_client_secret: str | None = Field(
        default=None,
        description="Client Secret (Basic Information) that goes with SLACK_CLIENT_ID.",
    )
    slack_api_url: str = Field(
        default=SLACK_API_DEFAULT,
        description="Web API base URL; point it at the built-in emulator for local runs.",
    )
    database_url: str = Field(
        default=SQLITE_DEFAULT,
        description="SQLAlchemy URL: sqlite:///file.db or postgresql+psycopg://user:pw@host/db.",
    )
    openai_api_key: str | None = Field(
        default=None, description="Key for an OpenAI-compatible endpoint; unset = no LLM."
    )
    openai_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible endpoint (Azure, local)."
    )
    mentorbot_llm_model: str = Field(
        default="gpt-4o-mini", description="Model name sent to the LLM endpoint."
    )
    mentorbot_llm_may_read_private: bool = Field(
        default=False,
        description="Let the LLM read private reflections and the agreement's confidential note.",
    )
    mentorbot_llm_timeout_seconds: float = Field(
        default=2.0,
        ge=0.5,
        le=10,
        description="Seconds (0.5 to 10) an LLM request may take before the rules' answer stands.",
    )
    mentorbot_coordinator_channel: str | None = Field(
        default=None, description="Channel id (C…) where coordinators ask for program status."
    )
    mentorbot_coordinators: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="Comma-separated Slack user ids of the program coordinators."
    )
    mentorbot_default_timezone: str = Field(
        default="UTC", description="IANA zone used when Slack reports no time zone for a person."
    )

    mentorbot_invite_working_days: int = Field(
        default=3,
        ge=1,
        le=30,
        description="Working days a volunteer has to answer before the next candidate is offered.",
    )

    mentorbot_request_sla_working_days: int = Field(
        default=2,
        ge=1,
        le=30,
        description="Working days a request may wait without an accepted volunteer before the "
        "coordinator channel is told and the requester is updated.",
    )
    mentorbot_agreement_working_days: int = Field(
        default=5,
        ge=1,
        le=30,
        description="Working days after a match by which the agreement should be confirmed; "
        "after that the coordinator channel is told, once.",
    )

    mentorbot_nudge_hour: int = Field(
        default=9, ge=7, le=16, description="Local hour (7 to 16) at which reminders are sent."
    )
    mentorbot_nudge_days_before: int = Field(
        default=1,
        ge=1,
        le=5,
        description="Working days before a checkpoint that its reminder goes.",
    )
    mentorbot_silent_weeks: int = Field(
        default=3,
        ge=1,
        le=26,
        description="Weeks without any response before a relationship is at risk.",
    )
    mentorbot_clock_seconds: int = Field(
        default=60, ge=1, le=3600, description="How often the clock looks for due work."
    )
    mentorbot_nudge_lease_seconds: int = Field(
        default=120,
        ge=2,
        le=3600,
        description="Seconds a clock process owns a nudge it is sending before another may retry.",
    )

    mentorbot_nudge_retry_seconds: int = Field(
        default=30,
        ge=1,
        le=3600,
        description="First wait before retrying a nudge Slack refused; it doubles each time.",
    )

    mentorbot_shoutout_channel: str | None = Field(
        default=None, description="Public channel id (C…) for shout-outs people choose to post."
    )
    mentorbot_report_months: int = Field(
        default=6,
        ge=1,
        le=24,
        description="Months between the mentor's periodic reports in long relationships.",
    )

    mentorbot_dm_budget: int = Field(
        default=3,
        ge=1,
        le=50,
        description="Most DMs the bot starts with one person in any 7 days, across all their "
        "relationships; more are merged into one digest, deferred or dropped.",
    )
    mentorbot_ignored_nudges: int = Field(
        default=3,
        ge=0,
        le=20,
        description="Unanswered nudges in a row after which the bot stops nudging the person "
        "and tells the coordinators (0: never stop).",
    )
    mentorbot_pulse_months: int = Field(
        default=3, ge=1, le=12, description="Months between pulse surveys of active relationships."
    )
    mentorbot_digest: str = Field(
        default="weekly",
        pattern="^(off|daily|weekly)$",
        description="Program digest to the coordinator channel: off, daily or weekly.",
    )

    mentorbot_clock_heartbeat: str = Field(
        default=str(Path(tempfile.gettempdir()) / "mentorbot-clock.heartbeat"),
        description="File the clock touches every minute; `mentorbot clock --check` reads it.",
    )

    @field_validator("mentorbot_coordinators", mode="before")
    @classmethod
    def _split_user_ids(cls, value: Any) -> tuple[str, ...]:
        if value is None or value == "":
            return ()
        items = value.split(",") if isinstance(value, str) else list(value)
        ids = tuple(str(item).strip() for item in items if str(item).strip())
        bad = [i for i in ids if not _USER_ID.match(i)]
        if bad:
            raise ValueError(f"expected Slack user ids like U012ABC, got {', '.join(bad)}")
        return ids

    @field_validator("mentorbot_coordinator_channel", "mentorbot_shoutout_channel")
    @classmethod
    def _channel_id(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _CHANNEL_ID.match(value):
            raise ValueError("expected a channel id like C012ABC (not a #name)")
        return value

    @field_validator("mentorbot_default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("slack_api_url", "openai_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            raise ValueError("use the psycopg 3 scheme: postgresql+psycopg://…")
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("expected sqlite:///… or postgresql+psycopg://…")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        return _token(value, "xoxb-")

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        return _token(value, "xapp-")

    @field_validator("slack_client_id")
    @classmethod
    def _client_id(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _CLIENT_ID.match(value):
            raise ValueError("expected the Client ID from Basic Information, like 1234567890.123")
        return value

    @field_validator("slack_signing_secret", "slack_client_secret", "openai_api_key")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.strip().lower() in PLACEHOLDERS:
            raise ValueError("still set to a placeholder; paste the real value")
        return value

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None

    @property
    def multi_workspace(self) -> bool:
        """Installed in several workspaces through OAuth: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET
        are set and SLACK_BOT_TOKEN is not (a bot token always means one workspace)."""
        return (
            self.slack_bot_token is None
            and self.slack_client_id is not None
            and self.slack_client_secret is not None
        )

    def require(self, names: Iterable[str]) -> None:
        """Raise ConfigError naming every variable in `names` that is unset.

        SLACK_BOT_TOKEN is the one workspace's token; in multi-workspace mode each workspace's
        token comes from its installation instead, so SLACK_CLIENT_ID and SLACK_CLIENT_SECRET
        stand in for it."""
        missing = []
        for name in names:
            if getattr(self, name.lower()) not in (None, ""):
                continue
            if name.lower() == "slack_bot_token":
                if self.multi_workspace:
                    continue
                missing.append(f"{name.upper()} (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
            else:
                missing.append(name.upper())
        if missing:
            raise ConfigError(f"missing required environment variable(s): {', '.join(missing)}")


def _token(value: str | None, prefix: str) -> str | None:
    if value is None or value == "":
        return None
    if not value.startswith(prefix):
        raise ValueError(f"expected a token starting with {prefix}")
    if value.removeprefix(prefix).lower() in PLACEHOLDERS:
        raise ValueError("still set to a placeholder; paste the real token")
    return value


def load_settings(
    overrides: Mapping[str, Any] | None = None, *, env_file: str | None = ".env"
) -> Settings:
    """Build Settings, turning validation errors into one ConfigError line naming each variable."""
    try:
        return Settings(_env_file=env_file, **dict(overrides or {}))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name} {message}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None


def settings_reference() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting: the README's table is built from it."""
    rows = []
    for name, field in Settings.model_fields.items():
        default = "" if field.default in (None, ()) else str(field.default)
        rows.append((name.upper(), default, field.description or ""))
    return rows
