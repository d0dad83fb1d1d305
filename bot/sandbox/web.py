"""The sandbox's HTTP side: the page and its static files, and a small JSON API the page calls.

Plain WSGI on the standard library's server (bot/local_server.py). POSTs must carry JSON, which a
cross-site form cannot send without the browser asking first, so another web page open in the
same browser cannot drive the sandbox.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Callable, Iterable
from datetime import timedelta
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from bot.sandbox.world import Sandbox, SandboxError

log = logging.getLogger("mentorbot.sandbox")

STATIC_FILES = ("index.html", "sandbox.css", "sandbox.js", "sandbox.png")
MAX_BODY = 256 * 1024
TRAVEL_DAYS = (1, 7)

StartResponse = Callable[..., Any]


def static_file(name: str) -> bytes:
    return resources.files("bot.sandbox").joinpath("static", name).read_bytes()


class HttpError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def allowed_hosts(bound: str) -> frozenset[str] | None:
    """Host names the page may be asked for by: loopback names when the sandbox listens on a
    single interface (so a web page that re-points its own name at 127.0.0.1 is refused), any
    name when it listens on every interface."""
    if bound in ("", "0.0.0.0", "::"):
        return None
    return LOOPBACK_NAMES | {bound.lower(), f"[{bound.lower()}]"}


class SandboxWebApp:
    def __init__(self, sandbox: Sandbox, *, hosts: frozenset[str] | None = LOOPBACK_NAMES) -> None:
        self.sandbox = sandbox
        self.hosts = hosts

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = str(environ.get("PATH_INFO", "/"))
        try:
            if not self._host_allowed(str(environ.get("HTTP_HOST", ""))):
                raise HttpError("403 Forbidden", "Open the sandbox by the address it printed.")
            if method in ("GET", "HEAD"):
                status, content_type, body = self._get(path, environ)
            elif method == "POST":
                status, content_type, body = self._post(path, environ)
            else:
                raise HttpError("405 Method Not Allowed", "Only GET and POST are served.")
        except HttpError as error:
            status, content_type, body = (
                error.status,
                "application/json",
                _json({"ok": False, "error": str(error)}),
            )
        except SandboxError as error:
            status, content_type = "400 Bad Request", "application/json"
            body = _json({"ok": False, "error": str(error)})
        except Exception:
            log.exception("the sandbox failed on %s %s", method, path)
            status, content_type = "500 Internal Server Error", "application/json"
            body = _json({"ok": False, "error": "Something went wrong: see the terminal."})
        start_response(
            status,
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [b""] if method == "HEAD" else [body]

    def _host_allowed(self, host: str) -> bool:
        if self.hosts is None:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in self.hosts

    # -- GET ----------------------------------------------------------------------------------
    def _get(self, path: str, environ: dict[str, Any]) -> tuple[str, str, bytes]:
        if path in ("/", "/index.html"):
            return "200 OK", "text/html; charset=utf-8", static_file("index.html")
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            if name not in STATIC_FILES:
                raise HttpError("404 Not Found", "No such file.")
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind.endswith("javascript"):
                kind += "; charset=utf-8"
            return "200 OK", kind, static_file(name)
        if path == "/api/state":
            query = parse_qs(str(environ.get("QUERY_STRING", "")))
            user = (query.get("user") or [""])[0]
            conversation = (query.get("conversation") or [""])[0] or None
            return "200 OK", "application/json", _json(self.sandbox.snapshot(user, conversation))
        if path.startswith("/api/files/"):
            found = self.sandbox.file(path.removeprefix("/api/files/"))
            if found is None:
                raise HttpError("404 Not Found", "No such file.")
            name, content = found
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind not in ("image/png", "image/jpeg", "image/gif"):
                kind = "text/plain; charset=utf-8"  # shown as text, never run as a page
            return "200 OK", kind, content
        raise HttpError("404 Not Found", "No such page.")

    # -- POST ---------------------------------------------------------------------------------
    def _post(self, path: str, environ: dict[str, Any]) -> tuple[str, str, bytes]:
        body = _read_json(environ)
        sandbox = self.sandbox
        answer: dict[str, Any] = {"ok": True}
        if path == "/api/command":
            sandbox.command(
                _field(body, "user"), _field(body, "text"), body.get("conversation") or None
            )
        elif path == "/api/home":
            sandbox.open_home(_field(body, "user"))
        elif path == "/api/action":
            sandbox.click(_field(body, "user"), body)
        elif path == "/api/submit":
            values = body.get("values")
            if not isinstance(values, dict):
                raise SandboxError("Form values must be an object.")
            answer["errors"] = sandbox.submit(_field(body, "user"), _field(body, "view_id"), values)
        elif path == "/api/close":
            sandbox.close_view(_field(body, "user"), _field(body, "view_id"))
        elif path == "/api/time":
            days = body.get("days")
            if days not in TRAVEL_DAYS or isinstance(days, bool):
                raise SandboxError("Travel a day or a week at a time.")
            answer["nudges"] = sandbox.travel(timedelta(days=int(days)))
        elif path == "/api/reset":
            sandbox.reset()
        elif path == "/api/demo":
            sandbox.load_demo()
        else:
            raise HttpError("404 Not Found", "No such action.")
        return "200 OK", "application/json", _json(answer)


def _read_json(environ: dict[str, Any]) -> dict[str, Any]:
    if not str(environ.get("CONTENT_TYPE", "")).startswith("application/json"):
        raise HttpError("415 Unsupported Media Type", "Send JSON.")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HttpError("400 Bad Request", "Bad Content-Length.") from None
    if length > MAX_BODY:
        raise HttpError("413 Content Too Large", "That is too much at once.")
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise HttpError("400 Bad Request", "That is not JSON.") from None
    if not isinstance(body, dict):
        raise HttpError("400 Bad Request", "Send a JSON object.")
    return body


def _field(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise SandboxError(f"Missing {key}.")
    return value


def _json(value: object) -> bytes:
    return json.dumps(value).encode()
