"""`SlackEmulator`: a loopback Slack Web API that the real `slack_sdk.WebClient` talks to unchanged.

Point a client at it with `WebClient(base_url=emulator.api_url, token=...)`. Besides `/api/<method>`
it serves the file upload URLs it hands out (`/upload/<file_id>`) and the response_urls it mints
(`/response/<token>`).
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from types import TracebackType
from typing import Any, cast

from bot.emulator import views
from bot.emulator.dispatch import Dispatcher, Faults
from bot.emulator.limits import Violation
from bot.emulator.methods import deliver_response
from bot.emulator.render import Seen
from bot.emulator.state import (
    JSON,
    ApiError,
    Channel,
    RecordedCall,
    ResponseTarget,
    Trigger,
    Workspace,
    new_trigger_id,
)
from bot.scopes import BOT_SCOPES

DEFAULT_TOKEN = "xoxb-emulator-token"  # noqa: S105 - only valid against the emulator
DEFAULT_TEAM = "T0EMULATOR"
COORDINATORS_CHANNEL = "C0COORD"


def seed_users() -> list[JSON]:
    """The packaged fictional company (`users.json`)."""
    text = resources.files("bot.emulator").joinpath("users.json").read_text(encoding="utf-8")
    return cast(list[JSON], json.loads(text))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    dispatcher: Dispatcher


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, data = cast(_Server, self.server).dispatcher.handle(
            self.path, dict(self.headers.items()), body
        )
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.do_POST()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log."""


class SlackEmulator:
    """A fake Slack workspace served over HTTP on 127.0.0.1, with inspectable state."""

    def __init__(
        self,
        *,
        teams: dict[str, str] | None = None,
        users: list[JSON] | None = None,
        port: int = 0,
        seed: int = 0,
        channels: dict[str, list[str]] | None = None,
        trigger_ttl: float = 30.0,
        scopes: Sequence[str] = BOT_SCOPES,
    ) -> None:
        """`scopes` are the bot scopes every token holds (answered in `X-OAuth-Scopes`); by
        default all those manifest.yml asks for."""
        self._ws = Workspace(trigger_ttl)
        self._dispatcher = Dispatcher(self._ws, seed, scopes)
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        people = seed_users() if users is None else users
        tokens = teams or {DEFAULT_TOKEN: DEFAULT_TEAM}
        first_team = next(iter(tokens.values()))
        for token, team_id in tokens.items():
            self.add_team(token, team_id, people if team_id == first_team else None)
        if channels is None:
            channels = {COORDINATORS_CHANNEL: [u["id"] for u in people if u.get("coordinator")]}
        for channel_id, members in channels.items():
            name = "mentoring-coordinators" if channel_id == COORDINATORS_CHANNEL else channel_id
            self.add_channel(channel_id, name.lower(), members)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> SlackEmulator:
        if self._server is None:
            self._server = _Server(("127.0.0.1", self._port), _Handler)
            self._server.dispatcher = self._dispatcher
            self._ws.base_url = self.base_url
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.02},  # how long stop() waits for the loop to notice
                name="slack-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # -- set-up ----------------------------------------------------------------------------
    def add_team(self, token: str, team_id: str, users: list[JSON] | None = None) -> None:
        """Register a workspace reachable with bot `token` (for multi-workspace tests)."""
        with self._ws.lock:
            self._ws.add_team(token, team_id, copy.deepcopy(users or []))

    def add_channel(
        self, channel_id: str, name: str, members: list[str], team_id: str | None = None
    ) -> None:
        """A public channel; the bot of its team is a member."""
        with self._ws.lock:
            team = self._ws.teams[team_id or next(iter(self._ws.teams))]
            self._ws.channels[channel_id] = Channel(
                channel_id, name, "channel", team.team_id, [*members, team.bot_user_id]
            )

    def set_faults(
        self,
        rate_429: float = 0.0,
        rate_5xx: float = 0.0,
        retry_after: int = 1,
        methods: set[str] | None = None,
    ) -> None:
        """Fail a share of Web API calls before they take effect (seeded, so reproducible).
        `auth.test` is spared unless it is listed in `methods`."""
        chosen = frozenset(methods) if methods is not None else None
        self._dispatcher.set_faults(Faults(rate_429, rate_5xx, retry_after, chosen))

    def register_oauth_app(self, client_id: str, client_secret: str) -> None:
        with self._ws.lock:
            self._ws.oauth_apps[client_id] = client_secret

    def issue_oauth_code(self, team_id: str, users: list[JSON] | None = None) -> str:
        """A one-time code that `oauth.v2.access` exchanges for a new bot token of `team_id`."""
        code = secrets.token_hex(16)
        with self._ws.lock:
            self._ws.oauth_codes[code] = (team_id, copy.deepcopy(users or []))
        return code

    # -- hooks for the driver ----------------------------------------------------------------
    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id, as Slack attaches to a command or an interaction by `user_id`."""
        trigger_id = new_trigger_id()
        with self._ws.lock:
            team_id = self._ws.team_of(user_id)
            self._ws.triggers[trigger_id] = Trigger(user_id, team_id, time.time())
        return trigger_id

    def response_url(self, user_id: str, channel_id: str, message_ts: str | None = None) -> str:
        """A response_url for an interaction by `user_id` in `channel_id` (about `message_ts`)."""
        token = secrets.token_urlsafe(16)
        with self._ws.lock:
            team_id = self._ws.team_of(user_id)
            self._ws.responses[token] = ResponseTarget(user_id, channel_id, team_id, message_ts)
        return f"{self.base_url}/response/{token}"

    def deliver_ack(self, user_id: str, channel_id: str, payload: JSON) -> Violation | None:
        """Show what an app put in a slash command's HTTP answer, as Slack would."""
        with self._ws.lock:
            team_id = self._ws.team_of(user_id)
            target = ResponseTarget(user_id, channel_id, team_id, None)
            kind = "message" if payload.get("response_type") == "in_channel" else "ephemeral"
            try:
                deliver_response(self._ws, target, payload, kind)
            except ApiError as exc:
                self._ws.record_call("ack", payload, team_id, exc.error, 200)
                return Violation(exc.error, exc.messages)
            self._ws.record_call("ack", payload, team_id, None, 200)
        return None

    def begin_submission(self, view_id: str) -> None:
        """A view_submission for `view_id` is on its way to the app (see `end_submission`)."""
        with self._ws.lock:
            self._ws.submitting.add(view_id)

    def end_submission(self, view_id: str) -> None:
        """The app's answer to the submission has been applied (or it never came)."""
        with self._ws.lock:
            self._ws.submitting.discard(view_id)
            self._ws.answered.notify_all()

    def apply_view_response(self, view_id: str, response: JSON | None) -> Violation | None:
        """Apply an app's answer to a view_submission (update, push, clear, errors, or close)."""
        with self._ws.lock:
            team_id = self._ws.views[view_id].team_id
            violation = views.apply_response_action(self._ws, view_id, response)
        error = violation.error if violation else None
        self._ws.record_call(
            "response_action", {"view_id": view_id, **(response or {})}, team_id, error, 200
        )
        return violation

    def close_view(self, view_id: str) -> None:
        with self._ws.lock:
            views.close(self._ws, view_id)

    def record_seen(
        self, users: tuple[str, ...], channel: str | None, kind: str, text: str
    ) -> None:
        with self._ws.lock:
            self._ws.record_seen(users, channel, kind, text)

    # -- inspection -------------------------------------------------------------------------
    def calls(
        self, method: str | None = None, *, include_failed: bool = False
    ) -> list[RecordedCall]:
        with self._ws.lock:
            return [
                c
                for c in self._ws.calls
                if (method is None or c.method == method) and (include_failed or c.ok)
            ]

    def seen(self, user_id: str | None = None) -> list[Seen]:
        with self._ws.lock:
            return [s for s in self._ws.seen if user_id is None or user_id in s.users]

    def messages(self, channel: str) -> list[JSON]:
        with self._ws.lock:
            found = self._ws.channels.get(channel)
            return copy.deepcopy(found.messages) if found else []

    def message(self, channel: str, ts: str) -> JSON | None:
        """A stored message, or an ephemeral one, by channel and ts."""
        with self._ws.lock:
            return copy.deepcopy(self._ws.find_message(channel, ts))

    def ephemerals(self, user_id: str) -> list[JSON]:
        with self._ws.lock:
            return copy.deepcopy([m for m in self._ws.ephemerals if m["ephemeral_user"] == user_id])

    def dm_channel(self, user_id: str) -> str:
        with self._ws.lock:
            return self._ws.dm(user_id).id

    def channel_members(self, channel_id: str) -> list[str]:
        with self._ws.lock:
            return list(self._ws.recipients(self._ws.channels[channel_id]))

    def channel_name(self, channel_id: str) -> str:
        """The name Slack puts in a command payload (`directmessage` for a DM)."""
        with self._ws.lock:
            channel = self._ws.channels.get(channel_id)
            if channel is None or channel.kind == "im":
                return "directmessage"
            return channel.name

    def view(self, view_id: str) -> JSON:
        with self._ws.lock:
            return copy.deepcopy(self._ws.views[view_id].view)

    def view_errors(self, view_id: str) -> dict[str, str]:
        """The inline errors the app last answered for this view (block_id -> message)."""
        with self._ws.lock:
            return dict(self._ws.views[view_id].errors)

    def view_owner(self, view_id: str) -> str:
        with self._ws.lock:
            return self._ws.views[view_id].user_id

    def views_for(self, user_id: str) -> list[JSON]:
        """Every modal and Home view opened for `user_id`, oldest first."""
        with self._ws.lock:
            return [copy.deepcopy(r.view) for r in self._ws.views.values() if r.user_id == user_id]

    def open_views(self, user_id: str) -> list[JSON]:
        """The modal stack `user_id` has open now, bottom first."""
        with self._ws.lock:
            return [copy.deepcopy(self._ws.views[v].view) for v in self._ws.stacks.get(user_id, [])]

    def home(self, user_id: str) -> JSON | None:
        with self._ws.lock:
            record = self._ws.views.get(self._ws.homes.get(user_id, ""))
            return copy.deepcopy(record.view) if record else None

    def conversations(self, user_id: str) -> list[JSON]:
        """The conversations `user_id` is in (their DM with the app first), as
        `{"id", "name", "kind", "members"}`; members leave out the bots."""
        with self._ws.lock:
            first = self._ws.dm(user_id)
            found = [first] + [
                c for c in self._ws.channels.values() if c is not first and user_id in c.members
            ]
            return [
                {
                    "id": c.id,
                    "name": c.name,
                    "kind": c.kind,
                    "members": list(self._ws.recipients(c)),
                }
                for c in found
            ]

    def file_content(self, file_id: str) -> tuple[str, bytes] | None:
        """An uploaded file's name and bytes, or None."""
        with self._ws.lock:
            record = self._ws.files.get(file_id)
            if record is None or record.content is None:
                return None
            return record.name, record.content

    def files(self) -> list[JSON]:
        with self._ws.lock:
            return [asdict(f) for f in self._ws.files.values()]

    def user_name(self, user_id: str) -> str:
        """The person's real name (their id if unknown), as a transcript shows them."""
        with self._ws.lock:
            return self._ws.names().get(user_id, user_id)

    def coordinators(self) -> list[str]:
        """Ids of the seed people marked `coordinator` (a demo hint, not Slack data)."""
        with self._ws.lock:
            return [uid for uid, row in self._ws.users.items() if row.get("coordinator")]

    def people(self) -> list[JSON]:
        """The seed rows of everyone in the workspace (people, not bots), as added."""
        with self._ws.lock:
            bots = self._ws.bot_users()
            return [dict(row) for uid, row in self._ws.users.items() if uid not in bots]

    def user(self, user_id: str) -> JSON | None:
        """The seed row for `user_id` (with its team_id), or None."""
        with self._ws.lock:
            row = self._ws.users.get(user_id)
            return dict(row) if row else None

    def team_domain(self, team_id: str) -> str:
        with self._ws.lock:
            return self._ws.teams[team_id].domain

    def bot_user_id(self, team_id: str) -> str:
        with self._ws.lock:
            return self._ws.teams[team_id].bot_user_id
