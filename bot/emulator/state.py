"""The emulated workspace: teams, people, conversations, views, files, and what was recorded.

Everything here is guarded by `Workspace.lock`; callers hold it for the whole of one API call so
that a call is atomic, as it is on Slack's side.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.emulator.render import Seen, render_blocks

JSON = dict[str, Any]
APP_ID = "A0MENTORBOT"
DEFAULT_BOT_USER = "U0MENTORBOT"
DEFAULT_BOT_ID = "B0MENTORBOT"
SLACKBOT = "USLACKBOT"
_ALNUM = string.ascii_uppercase + string.digits
_TZ_LABELS = {
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "WET": "Western European Standard Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "IST": "India Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
}


def new_id(prefix: str, length: int = 10) -> str:
    """A Slack-shaped id (`V0A1B2C3D4E`), random so it is unique across the process."""
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


def new_trigger_id() -> str:
    """Slack's trigger shape: `<digits>.<digits>.<hex>`."""
    return f"{int(time.time() * 1000)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def new_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def assign_ids(blocks: object) -> object:
    """A copy of `blocks` in which every block and interactive element has an id, as Slack
    stores them: it invents a `block_id` / `action_id` wherever the app left one out."""
    if not isinstance(blocks, list):
        return blocks
    stored = copy.deepcopy(blocks)
    for block in stored:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", _short_id())
        elements = [block.get("accessory"), block.get("element")]
        if block.get("type") == "actions":
            elements += block.get("elements") or []
        for element in elements:
            if isinstance(element, dict) and element.get("type") != "image":
                element.setdefault("action_id", _short_id())
    return stored


def _short_id() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(5))


class ApiError(Exception):
    """A Web API error answered as `{"ok": false, "error": ...}`."""

    def __init__(self, error: str, messages: tuple[str, ...] = ()) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages


@dataclass(frozen=True)
class RecordedCall:
    method: str
    params: JSON
    team_id: str | None
    ok: bool
    error: str | None
    status: int
    at: float


@dataclass
class Team:
    team_id: str
    name: str
    domain: str
    bot_user_id: str
    bot_id: str


@dataclass
class Channel:
    id: str
    name: str
    kind: str  # "channel" | "im" | "mpim"
    team_id: str
    members: list[str]
    created: int = field(default_factory=lambda: int(time.time()))
    messages: list[JSON] = field(default_factory=list)


@dataclass
class Trigger:
    user_id: str
    team_id: str
    issued_at: float
    used: bool = False


@dataclass
class ViewRecord:
    view: JSON
    user_id: str
    team_id: str
    # A view_submission answered `response_action: errors`: block_id -> message, shown beside
    # the field until the view changes.
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class FileRecord:
    id: str
    name: str
    length: int
    team_id: str
    title: str = ""
    content: bytes | None = None
    channel: str | None = None
    initial_comment: str | None = None
    shared_at: float | None = None


@dataclass
class ResponseTarget:
    """Where a response_url points: who asked, in which conversation, about which message."""

    user_id: str
    channel_id: str
    team_id: str
    message_ts: str | None
    uses: int = 0


def user_object(row: JSON, team_id: str, now: datetime | None = None) -> JSON:
    """A users.info `user` built from a seed row; `tz_offset` is computed for now, so it
    follows daylight saving time the way Slack's does."""
    tz = row.get("tz")
    offset, label = 0, None
    if tz:
        try:
            local = (now or datetime.now().astimezone()).astimezone(ZoneInfo(tz))
        except ZoneInfoNotFoundError:
            local = None
        if local is not None:
            delta = local.utcoffset()
            offset = int(delta.total_seconds()) if delta else 0
            abbr = local.tzname() or ""
            sign, minutes = ("-" if offset < 0 else "+"), abs(offset) // 60
            label = _TZ_LABELS.get(abbr, f"GMT{sign}{minutes // 60:02d}:{minutes % 60:02d}")
    real_name = row.get("real_name") or row.get("name", "")
    return {
        "id": row["id"],
        "team_id": team_id,
        "name": row.get("name", ""),
        "deleted": bool(row.get("deleted", False)),
        "color": "9f69e7",
        "real_name": real_name,
        "tz": tz,
        "tz_label": label,
        "tz_offset": offset,
        "profile": {
            "title": row.get("title", ""),
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": row.get("display_name", ""),
            "display_name_normalized": row.get("display_name", ""),
            "email": row.get("email"),
            "team": team_id,
            **({"bot_id": row["bot_id"]} if row.get("bot_id") else {}),
        },
        "is_admin": False,
        "is_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": bool(row.get("is_bot", False)),
        "is_app_user": False,
        "updated": 1700000000,
    }


class Workspace:
    """All emulated Slack state, shared by the HTTP threads; hold `lock` while touching it."""

    def __init__(self, trigger_ttl: float) -> None:
        self.lock = threading.RLock()
        self.trigger_ttl = trigger_ttl
        self.base_url = ""
        self.tokens: dict[str, str] = {}
        self.teams: dict[str, Team] = {}
        self.users: dict[str, JSON] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemerals: list[JSON] = []
        self.views: dict[str, ViewRecord] = {}
        self.stacks: dict[str, list[str]] = {}
        self.homes: dict[str, str] = {}
        # Views whose view_submission awaits the app's answer: Slack applies that answer before
        # any later views.update of the same view, so such an update waits (`answered`).
        self.submitting: set[str] = set()
        self.answered = threading.Condition(self.lock)
        self.triggers: dict[str, Trigger] = {}
        self.files: dict[str, FileRecord] = {}
        self.responses: dict[str, ResponseTarget] = {}
        self.oauth_apps: dict[str, str] = {}
        self.oauth_codes: dict[str, tuple[str, list[JSON]]] = {}
        self.calls: list[RecordedCall] = []
        self.seen: list[Seen] = []
        self._last_ts = 0

    def add_team(self, token: str, team_id: str, users: list[JSON] | None = None) -> Team:
        team = self.teams.get(team_id)
        if team is None:
            first = not self.teams
            bot_user = DEFAULT_BOT_USER if first else f"U{team_id[1:]}BOT"
            bot_id = DEFAULT_BOT_ID if first else f"B{team_id[1:]}BOT"
            name = "Larkspur Instruments" if first else team_id
            domain = "larkspur" if first else team_id.lower()
            team = Team(team_id, name, domain, bot_user, bot_id)
            self.teams[team_id] = team
            self.users[bot_user] = {
                "id": bot_user,
                "name": "mentorbot",
                "real_name": "Mentorbot",
                "display_name": "Mentorbot",
                "tz": "America/Los_Angeles",
                "is_bot": True,
                "bot_id": bot_id,
                "team_id": team_id,
            }
        self.tokens[token] = team_id
        for row in users or []:
            self.users[row["id"]] = {**row, "team_id": team_id}
        return team

    def team_for_token(self, token: str | None) -> Team:
        if not token:
            raise ApiError("not_authed")
        team_id = self.tokens.get(token)
        if team_id is None:
            raise ApiError("invalid_auth")
        return self.teams[team_id]

    def bot_users(self) -> set[str]:
        return {team.bot_user_id for team in self.teams.values()} | {SLACKBOT}

    def names(self) -> dict[str, str]:
        return {
            uid: str(row.get("real_name") or row.get("name")) for uid, row in self.users.items()
        }

    def next_ts(self) -> str:
        """A message ts: microseconds since the epoch, strictly increasing like Slack's."""
        micros = max(time.time_ns() // 1000, self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def user_in_team(self, user_id: object, team: Team) -> JSON:
        row = self.users.get(str(user_id))
        if row is None or row["team_id"] != team.team_id:
            raise ApiError("user_not_found")
        return row

    def team_of(self, user_id: str) -> str:
        """The user's team; a stranger (hostile tests) is placed in the first team."""
        row = self.users.get(user_id)
        return str(row["team_id"]) if row else next(iter(self.teams))

    def dm(self, user_id: str) -> Channel:
        channel_id = "D" + user_id[1:]
        channel = self.channels.get(channel_id)
        if channel is None:
            team_id = self.team_of(user_id)
            bot = self.teams[team_id].bot_user_id
            channel = Channel(channel_id, channel_id, "im", team_id, [user_id, bot])
            self.channels[channel_id] = channel
        return channel

    def mpim(self, user_ids: list[str], team: Team) -> tuple[Channel, bool]:
        members = sorted(set(user_ids))
        digest = sha256(",".join(members).encode()).hexdigest()[:10].upper()
        channel_id = f"G{digest}"
        existing = self.channels.get(channel_id)
        if existing is not None:
            return existing, False
        name = "mpdm-" + "--".join(self.users[u].get("name", u) for u in members) + "-1"
        channel = Channel(channel_id, name, "mpim", team.team_id, [*members, team.bot_user_id])
        self.channels[channel_id] = channel
        return channel, True

    def channel(self, ref: object, team: Team) -> Channel:
        """Resolve a `channel` argument: an id, a `#name`, or a user id (their DM with the bot)."""
        ref = str(ref or "")
        if ref.startswith(("U", "W")) and ref in self.users:
            ref = self.dm(ref).id
        elif ref.startswith("D") and "U" + ref[1:] in self.users:
            self.dm("U" + ref[1:])
        found = self.channels.get(ref)
        if found is None:
            wanted = ref.removeprefix("#")
            found = next((c for c in self.channels.values() if c.name == wanted), None)
        if found is None or found.team_id != team.team_id:
            raise ApiError("channel_not_found")
        return found

    def recipients(self, channel: Channel) -> tuple[str, ...]:
        bots = self.bot_users()
        return tuple(m for m in channel.members if m not in bots)

    def find_message(self, channel_id: str, ts: str) -> JSON | None:
        channel = self.channels.get(channel_id)
        for message in channel.messages if channel else []:
            if message["ts"] == ts:
                return message
        for message in self.ephemerals:
            if message["channel"] == channel_id and message["ts"] == ts:
                return message
        return None

    def record_call(
        self, method: str, params: JSON, team_id: str | None, error: str | None, status: int
    ) -> None:
        clean = {k: v for k, v in params.items() if k not in ("token", "client_secret")}
        call = RecordedCall(method, clean, team_id, error is None, error, status, time.time())
        with self.lock:
            self.calls.append(call)

    def record_seen(
        self, users: tuple[str, ...], channel: str | None, kind: str, text: str
    ) -> None:
        with self.lock:
            self.seen.append(Seen(time.time(), users, channel, kind, text))

    def render(self, text: object, blocks: object) -> str:
        return render_blocks(
            blocks if isinstance(blocks, list) else None,
            text if isinstance(text, str) else "",
            names=self.names(),
        )

    def bot_message(self, team: Team, text: object, blocks: object, ts: str) -> JSON:
        message: JSON = {
            "type": "message",
            "user": team.bot_user_id,
            "bot_id": team.bot_id,
            "app_id": APP_ID,
            "team": team.team_id,
            "text": text if isinstance(text, str) else "",
            "ts": ts,
            "bot_profile": {
                "id": team.bot_id,
                "app_id": APP_ID,
                "name": "Mentorbot",
                "deleted": False,
                "team_id": team.team_id,
            },
        }
        if blocks is not None:
            message["blocks"] = assign_ids(blocks)
        return message

    def post(self, channel: Channel, message: JSON, kind: str = "message") -> None:
        channel.messages.append(message)
        text = self.render(message.get("text"), message.get("blocks"))
        self.record_seen(self.recipients(channel), channel.id, kind, text)

    def post_ephemeral(
        self,
        team: Team,
        channel_id: str,
        user_id: str,
        text: object,
        blocks: object,
        kind: str = "ephemeral",
    ) -> JSON:
        message = self.bot_message(team, text, blocks, self.next_ts())
        message.update(channel=channel_id, ephemeral_user=user_id)
        self.ephemerals.append(message)
        self.record_seen((user_id,), channel_id, kind, self.render(text, blocks))
        return message
