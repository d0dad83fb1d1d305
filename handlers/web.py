"""The WSGI application: `POST /slack/events` into Bolt, `GET /healthz` for load balancers.

Bolt verifies signatures itself, but it parses the body before it does, so a malformed body or a
non-numeric timestamp raises inside Bolt and would answer 500. This front door refuses those with
401/400 first: size and headers are checked, then the signature (with slack_sdk's own
SignatureVerifier), and only a signed, parseable request reaches Bolt.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.services import Services

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger("mentorbot.web")

MAX_BODY_BYTES = 256 * 1024
EVENTS_PATH = "/slack/events"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

Headers = list[tuple[str, str]]


class Reply:
    def __init__(self, status: int, body: bytes | str, content_type: str = "text/plain") -> None:
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers: Headers = [("Content-Type", f"{content_type}; charset=utf-8")]


REASONS = {
    200: "OK",
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
        log.debug(
            "%s %s -> %s in %.1f ms",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            reply.status,
            (time.perf_counter() - started) * 1000,
        )
        return [reply.body]

    def route(self, environ: WSGIEnvironment) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self.health()
        if path == EVENTS_PATH:
            if method != "POST":
                return Reply(405, "POST only")
            return self.slack_event(environ)
        return Reply(404, "Not Found")

    def health(self) -> Reply:
        if self.services.database.ping():
            return Reply(200, json.dumps({"ok": True, "database": "reachable"}), JSON)
        return Reply(503, json.dumps({"ok": False, "database": "unreachable"}), JSON)

    def slack_event(self, environ: WSGIEnvironment) -> Reply:
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
        if not self.verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
            return Reply(401, "Unauthorized")
        problem = _malformed(text, environ.get("CONTENT_TYPE", ""))
        if problem:
            return Reply(400, problem)
        query = environ.get("QUERY_STRING", "")
        try:
            response = self.app.dispatch(BoltRequest(body=text, query=query, headers=headers))
        except (ValueError, KeyError, TypeError) as error:
            log.warning("unparseable Slack request: %s", type(error).__name__)
            return Reply(400, "Malformed request")
        reply = Reply(response.status, response.body or "")
        reply.headers = [
            (k, v)
            for k, values in response.headers.items()
            for v in values
            if k.lower() != "content-length"
        ]
        return reply


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


def _malformed(text: str, content_type: str) -> str | None:
    """Why a signed body cannot be what Slack sends, or None when it can."""
    media = content_type.split(";")[0].strip().lower()
    if media == JSON:
        return None if _json_object(text) is not None else "Body is not a JSON object"
    if media != FORM:
        return "Unsupported content type"
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        payload = _json_object(form["payload"][0])
        if payload is None or not isinstance(payload.get("type"), str):
            return "payload is not a JSON object with a type"
        return None
    if "command" in form or "ssl_check" in form:
        return None
    return "Unrecognised form body"


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
