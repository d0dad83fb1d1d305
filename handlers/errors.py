"""The one error handler: log the failure without personal text and tell the person kindly."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy.exc import OperationalError

from storage.db import DatabaseUnavailable

log = logging.getLogger("mentorbot.errors")

TRY_AGAIN = "I can't reach my records right now. Nothing was saved; please try again in a minute."
OOPS = "Something went wrong on my side, and nothing was changed. Please try again."


def friendly_text(error: BaseException) -> str:
    if isinstance(error, DatabaseUnavailable | OperationalError):
        return TRY_AGAIN
    return OOPS


class AckKept(Exception):
    """Raised by `on_error` once it has told the person, when the listener had already acked.

    Bolt 1.30 stores the error handler's result over that ack as soon as the handler returns
    (`ack.response = response`, None after an ack). A request thread that has not yet picked
    the ack up (it looks every 10 ms) then waits out Slack's 3 seconds and answers 404, so the
    person sees Slack's own error instead of the answer that was ready. Raising skips that
    assignment; Bolt's listener executor drops the exception without a word.
    """


def on_error(
    error: Exception, request: BoltRequest, response: BoltResponse | None, body: dict[str, Any]
) -> BoltResponse:
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    log.error(
        "listener failed",
        extra={"error": type(error).__name__, "payload_type": kind},
        exc_info=not isinstance(error, DatabaseUnavailable | OperationalError),
    )
    text = friendly_text(error)
    if response is not None:
        if kind == "view_submission":
            return _json({"response_action": "push", "view": error_modal(text)})
        return _json({"response_type": "ephemeral", "text": text})
    respond = request.context.respond
    if respond is not None:
        respond(text=text, response_type="ephemeral", replace_original=False)
    raise AckKept(type(error).__name__) from error


def error_modal(text: str) -> dict[str, Any]:
    """Pushed over a modal whose submit failed, so the person's answers beneath stay intact."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Not saved yet"},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200,
        body=json.dumps(payload),
        headers={"content-type": "application/json;charset=utf-8"},
    )


def register(app: App) -> None:
    app.error(on_error)
