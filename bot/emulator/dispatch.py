"""HTTP plumbing of the emulator: argument parsing, fault injection and method dispatch."""

from __future__ import annotations

import base64
import contextlib
import json
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, urlsplit

from bot.emulator import directory, methods, views
from bot.emulator.limits import Violation
from bot.emulator.state import JSON, ApiError, Team, Workspace
from bot.scopes import BOT_SCOPES

RESPONSE_URL_USES = 5
SUBMISSION_WAIT_SECONDS = 3.0
_JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")

Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[[Workspace, Team, JSON], JSON]
METHODS: dict[str, Handler] = {
    "auth.test": directory.auth_test,
    "chat.delete": methods.chat_delete,
    "chat.postEphemeral": methods.chat_post_ephemeral,
    "chat.postMessage": methods.chat_post_message,
    "chat.update": methods.chat_update,
    "conversations.history": directory.conversations_history,
    "conversations.info": directory.conversations_info,
    "conversations.members": directory.conversations_members,
    "conversations.open": directory.conversations_open,
    "conversations.replies": directory.conversations_replies,
    "files.completeUploadExternal": methods.files_complete_upload,
    "files.getUploadURLExternal": methods.files_get_upload_url,
    "reactions.add": methods.reactions_add,
    "team.info": directory.team_info,
    "users.info": directory.users_info,
    "users.list": directory.users_list,
    "users.lookupByEmail": directory.users_lookup_by_email,
    "views.open": views.views_open,
    "views.publish": views.views_publish,
    "views.push": views.views_push,
    "views.update": views.views_update,
}


@dataclass(frozen=True)
class Faults:
    rate_429: float
    rate_5xx: float
    retry_after: int
    methods: frozenset[str] | None


def json_reply(body: JSON, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    data = json.dumps(body).encode()
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, data


def parse_params(content_type: str, body: bytes, query: str) -> JSON:
    """Arguments from the query string plus a form, multipart or JSON body. Form values that hold
    JSON (blocks, view, ...) are decoded, as Slack does."""
    params: JSON = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body:
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            raise ApiError("invalid_json") from exc
        if not isinstance(decoded, dict):
            raise ApiError("invalid_json")
        params.update(decoded)
    elif kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                params[name] = payload if part.get_filename() else payload.decode()
    elif body:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    for key in _JSON_ARGS:
        value = params.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return {k: v for k, v in params.items() if v is not None}


class Dispatcher:
    """Answers `/api/<method>`, `/upload/<file_id>` and `/response/<token>` requests."""

    def __init__(self, ws: Workspace, seed: int, scopes: Sequence[str] = BOT_SCOPES) -> None:
        self._ws = ws
        self._scopes = ",".join(scopes)  # answered in X-OAuth-Scopes, as Slack does
        self._rng = random.Random(seed)
        self._fault_lock = threading.Lock()
        self._faults: Faults | None = None

    def set_faults(self, faults: Faults | None) -> None:
        with self._fault_lock:
            self._faults = faults

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        """Answer one HTTP request (called from the server's threads)."""
        url = urlsplit(path)
        lower = {k.lower(): v for k, v in headers.items()}
        if url.path.startswith("/api/"):
            return self._api(url.path.removeprefix("/api/"), lower, body, url.query)
        if url.path.startswith("/upload/"):
            return self._upload(url.path.removeprefix("/upload/"), lower, body)
        if url.path.startswith("/response/"):
            return self._respond(url.path.removeprefix("/response/"), body)
        return json_reply({"ok": False, "error": "not_found"}, 404)

    def _fault(self, method: str) -> Reply | None:
        with self._fault_lock:
            faults = self._faults
            if faults is None:
                return None
            chosen = faults.methods
            if method not in chosen if chosen is not None else method == "auth.test":
                return None
            roll = self._rng.random()
            if roll < faults.rate_429:
                retry = {"Retry-After": str(faults.retry_after)}
                return json_reply({"ok": False, "error": "ratelimited"}, 429, retry)
            if roll < faults.rate_429 + faults.rate_5xx:
                status = self._rng.choice((500, 503))
                error = "internal_error" if status == 500 else "service_unavailable"
                return json_reply({"ok": False, "error": error}, status)
            return None

    def _api(self, method: str, headers: dict[str, str], body: bytes, query: str) -> Reply:
        params: JSON = {}
        team_id: str | None = None
        try:
            params = parse_params(headers.get("content-type", ""), body, query)
            auth = headers.get("authorization", "")
            if method == "oauth.v2.access" and auth.lower().startswith("basic "):
                decoded = base64.b64decode(auth[6:]).decode()
                params["client_id"], _, params["client_secret"] = decoded.partition(":")
            token = auth[7:] if auth.lower().startswith("bearer ") else params.get("token")
            handler = METHODS.get(method)
            if handler is None and method != "oauth.v2.access":
                raise ApiError("unknown_method")
            if handler is not None:
                with self._ws.lock:
                    team_id = self._ws.team_for_token(str(token or "")).team_id
            fault = self._fault(method)
            if fault is not None:
                self._ws.record_call(
                    method, params, team_id, json.loads(fault[2])["error"], fault[0]
                )
                return fault
            with self._ws.lock:
                if method == "views.update":
                    self._await_submission(params)
                if handler is None:
                    result = directory.oauth_v2_access(self._ws, params)
                    team_id = str(result["team"]["id"])
                else:
                    result = handler(self._ws, self._ws.teams[str(team_id)], params)
                reply = json_reply({"ok": True, **result}, headers=self._scope_header(handler))
        except ApiError as exc:
            self._ws.record_call(method, params, team_id, exc.error, 200)
            return json_reply(Violation(exc.error, exc.messages).body())
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            # An argument of the wrong shape (a number that is not, a list that is a string...):
            # Slack answers those with invalid_arguments rather than failing.
            message = f"[ERROR] {type(exc).__name__}: {exc}"
            self._ws.record_call(method, params, team_id, "invalid_arguments", 200)
            return json_reply(Violation("invalid_arguments", (message,)).body())
        self._ws.record_call(method, params, team_id, None, 200)
        return reply

    def _await_submission(self, params: JSON) -> None:
        """Hold an update of a view whose submission is still being answered until Slack has
        applied that answer (at most Slack's 3 seconds); called with the lock held."""
        view_id = str(params.get("view_id") or "")
        self._ws.answered.wait_for(
            lambda: view_id not in self._ws.submitting, timeout=SUBMISSION_WAIT_SECONDS
        )

    def _scope_header(self, handler: Handler | None) -> dict[str, str]:
        """Slack tells a bot token which scopes it holds in every answer to it."""
        return {"X-OAuth-Scopes": self._scopes} if handler is not None else {}

    def _upload(self, file_id: str, headers: dict[str, str], body: bytes) -> Reply:
        content = body
        if headers.get("content-type", "").startswith("multipart/form-data"):
            parsed = parse_params(headers["content-type"], body, "")
            content = next((v for v in parsed.values() if isinstance(v, bytes)), body)
        with self._ws.lock:
            record = self._ws.files.get(file_id)
            if record is None:
                return 404, {"Content-Type": "text/plain"}, b"file_not_found"
            record.content = content
            team_id = record.team_id
        self._ws.record_call(
            "upload", {"file_id": file_id, "bytes": len(content)}, team_id, None, 200
        )
        return 200, {"Content-Type": "text/plain"}, f"OK - {len(content)}".encode()

    def _respond(self, token: str, body: bytes) -> Reply:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return json_reply({"ok": False, "error": "invalid_payload"}, 400)
        with self._ws.lock:
            target = self._ws.responses.get(token)
            if target is None:
                return json_reply({"ok": False, "error": "expired_url"}, 404)
            if target.uses >= RESPONSE_URL_USES:
                self._ws.record_call("response_url", payload, target.team_id, "used_url", 404)
                return json_reply({"ok": False, "error": "used_url"}, 404)
            try:
                methods.deliver_response(self._ws, target, payload, "response")
            except ApiError as exc:
                self._ws.record_call("response_url", payload, target.team_id, exc.error, 400)
                return json_reply(Violation(exc.error, exc.messages).body(), 400)
            target.uses += 1
            self._ws.record_call("response_url", payload, target.team_id, None, 200)
        return json_reply({"ok": True})
