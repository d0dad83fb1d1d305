"""The WSGI application: `POST /slack/events` into Bolt, `GET /healthz` for load balancers.

Bolt verifies signatures itself, but it parses the body before it does, so a malformed body or a
non-numeric timestamp raises inside Bolt and would answer 500. This front door refuses those with
401/400 first: size and headers are checked, then the signature (with slack_sdk's own
SignatureVerifier), and only a signed, parseable request reaches Bolt.

Every request to /slack/events is logged once, at INFO, with what it was (team, payload type and
the command, action_id, callback_id or event type), the HTTP status, the latency and an outcome:
"ok", "rejected" (refused before Bolt; WARNING, and nothing read from an unverified body) or
"error" (ERROR for a 500, WARNING for a 4xx from Bolt). Those fields come from the parse that
checks the body's shape, so nothing is parsed twice here, and no text a person typed is logged.

In multi-workspace mode (see handlers/workspaces.py) `GET /slack/install` and
`GET /slack/oauth_redirect` run Bolt's OAuth flow; they are logged the same way (payload type
`oauth_install` or `oauth_redirect`), without the code or the state.

A listener that changes what its own acknowledgement showed (a view set by `response_action`)
must wait until that answer has left: `answered(context)` is set once the server has sent the
response, or None where no HTTP answer is pending (Socket Mode, direct dispatch).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.oauth import OAuthFlow
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

from bot.services import Services

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger("mentorbot.web")

MAX_BODY_BYTES = 256 * 1024
EVENTS_PATH = "/slack/events"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

ANSWERED = "mentorbot_answered"
"""Key in the Bolt context of the per-request event set once the HTTP answer is sent."""

MAX_LOGGED_ID = 100  # action_ids and callback_ids are the app's own, but cap them anyway

Headers = list[tuple[str, str]]

OK, REJECTED, ERROR = "ok", "rejected", "error"
_LEVELS = {OK: logging.INFO, REJECTED: logging.WARNING, ERROR: logging.ERROR}


@dataclass
class Described:
    """What a Slack request was, for its log line: ids and names only, never text."""

    team: str | None = None
    payload_type: str | None = None
    command: str | None = None
    action: str | None = None
    outcome: str = REJECTED
    error: str | None = None
    failure: BaseException | None = field(default=None, repr=False)

    def extra(self) -> dict[str, str]:
        found = {
            "team": self.team,
            "payload_type": self.payload_type,
            "command": self.command,
            "action": self.action,
        }
        return {k: _short(v) for k, v in found.items() if v}


class Reply:
    def __init__(
        self,
        status: int,
        body: bytes | str,
        content_type: str = "text/plain",
        described: Described | None = None,
    ) -> None:
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers: Headers = [("Content-Type", f"{content_type}; charset=utf-8")]
        self.described = described
        self.answered: threading.Event | None = None


class _Sent(list[bytes]):
    """The response body; the WSGI server calls close() once it has been written."""

    def __init__(self, body: bytes, answered: threading.Event | None) -> None:
        super().__init__([body])
        self._answered = answered

    def close(self) -> None:
        if self._answered is not None:
            self._answered.set()


def answered(context: BoltContext) -> threading.Event | None:
    """Set once the answer to this request has been sent (see the module docstring)."""
    event = context.get(ANSWERED)
    return event if isinstance(event, threading.Event) else None


REASONS = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class SlackWebApp:
    """A WSGI callable. Production servers (gunicorn) and the tests' in-process server run it."""

    def __init__(self, app: App, services: Services) -> None:
        self.app = app
        self.services = services
        self.verifier = SignatureVerifier(services.settings.slack_signing_secret or "")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        reply = self.route(environ)
        status = f"{reply.status} {REASONS.get(reply.status, 'Status')}"
        start_response(status, [*reply.headers, ("Content-Length", str(len(reply.body)))])
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        if reply.described is not None:
            _log_slack_request(reply.status, latency_ms, reply.described)
        else:
            log.debug(
                "%s %s -> %s in %.1f ms",
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
                reply.status,
                latency_ms,
            )
        return _Sent(reply.body, reply.answered)

    def route(self, environ: WSGIEnvironment) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self.health()
        if path == EVENTS_PATH:
            if method != "POST":
                return Reply(405, "POST only", described=Described())
            return self.slack_event(environ)
        flow = self.app.oauth_flow  # None with a single SLACK_BOT_TOKEN: no install pages
        if flow is not None and path in (flow.install_path, flow.redirect_uri_path):
            if method != "GET":
                return Reply(405, "GET only")
            return self.oauth(environ, flow, install=path == flow.install_path)
        return Reply(404, "Not Found")

    def oauth(self, environ: WSGIEnvironment, flow: OAuthFlow, *, install: bool) -> Reply:
        """Start an install (a redirect to Slack with a fresh state and its cookie), or finish
        one (state checked against the cookie and consumed, code exchanged, installation
        stored). A wrong, expired or reused state is refused by Bolt with 400 or 401."""
        described = Described(payload_type="oauth_install" if install else "oauth_redirect")
        request = BoltRequest(
            body="", query=environ.get("QUERY_STRING", ""), headers=_headers(environ)
        )
        try:
            if install:
                response = flow.handle_installation(request)
            else:
                response = flow.handle_callback(request)
        except Exception as error:
            described.outcome, described.failure = ERROR, error
            return Reply(500, "Internal Server Error", described=described)
        described.outcome = OK if response.status < 400 else ERROR
        reply = Reply(response.status, response.body or "", described=described)
        reply.headers = [
            (k, v)
            for k, values in response.headers.items()
            for v in values
            if k.lower() != "content-length"
        ]
        return reply

    def health(self) -> Reply:
        if self.services.database.ping():
            return Reply(200, json.dumps({"ok": True, "database": "reachable"}), JSON)
        return Reply(503, json.dumps({"ok": False, "database": "unreachable"}), JSON)

    def slack_event(self, environ: WSGIEnvironment) -> Reply:
        described = Described()
        try:
            reply = self._slack_event(environ, described)
        except Exception as error:
            described.outcome, described.failure = ERROR, error
            reply = Reply(500, "Internal Server Error")
        reply.described = described
        return reply

    def _slack_event(self, environ: WSGIEnvironment, described: Described) -> Reply:
        length = _content_length(environ)
        if length is None:
            return Reply(400, "Content-Length required")
        if length > MAX_BODY_BYTES:
            return Reply(400, "Request body too large")
        body = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
        if not timestamp.isdigit() or not signature:
            return Reply(401, "Unauthorized")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return Reply(400, "Body is not UTF-8")
        if not self._signed(text, timestamp, signature):
            return Reply(401, "Unauthorized")
        parsed = _inspect(text, environ.get("CONTENT_TYPE", ""), described)
        if isinstance(parsed, str):
            return Reply(400, parsed)
        query = environ.get("QUERY_STRING", "")
        sent = threading.Event()
        try:
            request = _bolt_request(text, parsed, query, headers, {ANSWERED: sent})
            response = self.app.dispatch(request)
        except (ValueError, KeyError, TypeError) as error:
            # Bolt could not parse what passed the shape check: answer 400, never 500.
            described.outcome, described.error = ERROR, type(error).__name__
            return Reply(400, "Malformed request")
        described.outcome = OK if response.status < 400 else ERROR
        reply = Reply(response.status, response.body or "")
        reply.answered = sent
        reply.headers = [
            (k, v)
            for k, values in response.headers.items()
            for v in values
            if k.lower() != "content-length"
        ]
        return reply

    def _signed(self, text: str, timestamp: str, signature: str) -> bool:
        """slack_sdk's check. It raises on what it cannot read (a timestamp str.isdigit() takes
        but int() does not, such as "1²" or 5,000 digits; a signature that is not ASCII, which
        hmac.compare_digest refuses): such a request is not signed either, so 401, not 500."""
        try:
            return self.verifier.is_valid(body=text, timestamp=timestamp, signature=signature)
        except (ValueError, TypeError):
            return False


def _log_slack_request(status: int, latency_ms: float, described: Described) -> None:
    outcome = described.outcome
    # Nothing from the body of a request refused before Bolt: it may not be Slack's.
    shown: dict[str, object] = {**described.extra()} if outcome != REJECTED else {}
    if described.error:
        shown["error"] = described.error
    failure = described.failure
    level = _LEVELS[outcome]
    if outcome == ERROR and status < 500 and failure is None:
        level = logging.WARNING  # Bolt's 404 for a request no listener takes, a 400 it raised
    log.log(
        level,
        "slack request %s %s",
        described.command or described.payload_type or "-",
        outcome,
        extra={**shown, "status": status, "latency_ms": latency_ms, "outcome": outcome},
        exc_info=(type(failure), failure, failure.__traceback__) if failure else None,
    )


def _short(value: str) -> str:
    return value if len(value) <= MAX_LOGGED_ID else value[:MAX_LOGGED_ID] + "…"


def _content_length(environ: WSGIEnvironment) -> int | None:
    raw = environ.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        return None
    return length if length >= 0 else None


def _headers(environ: WSGIEnvironment) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = [str(value)]
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = [environ["CONTENT_TYPE"]]
    return headers


def _inspect(text: str, content_type: str, described: Described) -> str | dict[str, Any]:
    """The body as Bolt reads it, or why a signed body cannot be what Slack sends. The one
    parse of the body (Bolt is handed its result); on the way, notes in `described` what the
    request is."""
    media = content_type.split(";")[0].strip().lower()
    if media == JSON:
        envelope = _json_object(text)
        if envelope is None or not isinstance(envelope.get("type"), str):
            return "Body is not a JSON object with a type"
        _describe_envelope(envelope, described)
        return envelope
    if media != FORM:
        return "Unsupported content type"
    pairs = parse_qsl(text, keep_blank_values=True)
    form = dict(pairs)  # the last of a repeated field, as Bolt reads it
    if "payload" in form:
        if sum(1 for key, _ in pairs if key == "payload") != 1:
            return "payload given more than once"
        payload = _json_object(form["payload"])
        if payload is None or not isinstance(payload.get("type"), str):
            return "payload is not a JSON object with a type"
        _describe_interaction(payload, described)
        return payload
    if "command" in form:
        described.team = form.get("team_id")
        described.payload_type = "slash_command"
        described.command = form.get("command")
        return form
    if "ssl_check" in form:
        described.payload_type = "ssl_check"
        return form
    return "Unrecognised form body"


def _bolt_request(
    text: str,
    body: dict[str, Any],
    query: str,
    headers: dict[str, str | Sequence[str]],
    context: dict[str, Any],
) -> BoltRequest:
    """Bolt's request around the body parsed by `_inspect`, so it is not parsed twice. Bolt's
    own parse would also get a command wrong: Bolt 1.30 reads any form body containing
    "payload" anywhere (`/mentor payload design`, a channel named #payments-payload) as an
    interaction, finds no payload field and parses it as {}, so the command would match no
    listener and the person would get 404."""
    request = BoltRequest(body="", query=query, headers=headers, context=context)
    request.raw_body = text
    request.body = body
    request.context = build_context(BoltContext(context), body)
    return request


def _describe_envelope(envelope: dict[str, Any], described: Described) -> None:
    described.payload_type = _string(envelope.get("type"))
    described.team = _string(envelope.get("team_id"))
    event = envelope.get("event")
    if isinstance(event, dict):
        described.action = _string(event.get("type"))


def _describe_interaction(payload: dict[str, Any], described: Described) -> None:
    kind = _string(payload.get("type"))
    described.payload_type = kind
    team = payload.get("team")
    described.team = _string(team.get("id")) if isinstance(team, dict) else None
    if described.team is None:
        user = payload.get("user")
        described.team = _string(user.get("team_id")) if isinstance(user, dict) else None
    if kind == "block_actions":
        actions = payload.get("actions")
        if isinstance(actions, list) and actions and isinstance(actions[0], dict):
            described.action = _string(actions[0].get("action_id"))
    elif kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        described.action = _string(view.get("callback_id")) if isinstance(view, dict) else None
    elif kind in ("shortcut", "message_action"):
        described.action = _string(payload.get("callback_id"))


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
        return None
    return value if isinstance(value, dict) else None
