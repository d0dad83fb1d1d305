"""Plain HTTP to a running sandbox, as the page sends it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from tests.support import eventually


def get(base: str, path: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def state(base: str, user: str, conversation: str = "") -> dict[str, Any]:
    status, _, body = get(
        base, "/api/state?" + urlencode({"user": user, "conversation": conversation})
    )
    assert status == 200, body
    answer: dict[str, Any] = json.loads(body)
    return answer


def post(
    base: str, path: str, body: object, content_type: str = "application/json"
) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if content_type == "application/json" else str(body).encode()
    request = urllib.request.Request(
        base + path, data=data, headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def ok(base: str, path: str, body: object) -> dict[str, Any]:
    status, answer = post(base, path, body)
    assert status == 200 and answer["ok"], answer
    return answer


def state_when(
    base: str, user: str, probe: Callable[[dict[str, Any]], object], conversation: str = ""
) -> dict[str, Any]:
    """The person's state once `probe` holds: the app may still be finishing its after-ack work
    when the sandbox answers (it waits only for a short quiet moment)."""

    def ready() -> dict[str, Any] | None:
        seen = state(base, user, conversation)
        return seen if probe(seen) else None

    found = eventually(ready)
    assert found is not None
    return found
