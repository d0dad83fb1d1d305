"""What the fuzz batteries share: Hypothesis settings, the hostile text they type (unicode,
control characters, direction marks, 10,000-character strings, mrkdwn, `<!channel>`, `<!here>`,
mentions of people who do not exist, SQL fragments), and the checks on everything the app showed.

For every input: no 5xx (nor Bolt's 404); the answer is a clear message (an ack with text or
blocks, a modal, a response_action with errors or a new view); nothing the person typed comes
back as live Slack syntax (a ping) in anything the app showed or posted; no Block Kit limit is
broken (the emulator refuses those, and acks are checked with its own limits); other people's
rows are untouched, and free text is stored as typed (less what clean_input drops).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from bot.emulator import (
    DriverResponse,
    RecordedCall,
    SlackEmulator,
    check_message,
    check_view,
)
from bot.services import Services
from tests.support import snapshot

LONG = os.environ.get("MENTORBOT_LONG_TESTS") == "1"
SCALE = 20 if LONG else 1


def fuzz(examples: int) -> settings:
    """Hypothesis settings for `examples` examples (times 20 with MENTORBOT_LONG_TESTS=1)."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


ACTOR = "U0ACTOR01"  # a person in the emulated workspace who types all this
ACK_SECONDS = 3.0

# Live Slack syntax that must never come back from what someone typed. Mentions in the fuzz
# text are of people who are not in the workspace (U0FUZZ…), so any `<@U0FUZZ` the app shows
# came from the input; the app's own mentions of real people are fine.
PINGS = ("<!channel", "<!here", "<!everyone", "<!subteam^", "<@U0FUZZ", "<@W0FUZZ")
FRAGMENTS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0FUZZ01|@leads>",
    "<@U0FUZZ01>",
    "<@U0FUZZ02|fuzz>",
    "<@W0FUZZ03>",
    "<#C0FUZZ01|general>",
    "<https://evil.example/|click here>",
    "@channel",
    "*bold* _it_ ~strike~ `code` ```block```",
    "> quoted\n>>> more",
    "&amp; &lt; &gt; & < >",
    "&lt;!channel&gt;",
    "'; DROP TABLE people; --",
    "' OR '1'='1",
    '" OR 1=1 --',
    "%s %d {0} {} {{x}} ${jndi:ldap://x}",
    "\u202e\u200f\u200e\u2066\u2069",  # direction overrides and marks
    "\u200b\u2060\ufeff",  # zero-width
    "\x00\x01\x07\x1b[31m\x7f",
    "\r\n\t\x0b\x0c",
    "👩🏽‍💻 🇺🇦 e\u0301 ß İ ﬁ",
    "مرحبا שלום 你好",
    "payload",
    "command=/mentoring&text=help",
    "offer pause",
    "help",
    "null",
    "None",
    "0",
    "-1",
    "\uff11\uff10",  # full-width 10
    " ",
)


def _long(fragment: str) -> str:
    return (fragment * (10_000 // max(1, len(fragment)) + 1))[:10_000]


pieces = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=30),
)
short_text = st.lists(pieces, max_size=8).map("".join)
hostile_text = st.one_of(
    short_text,
    short_text,
    short_text,
    st.sampled_from(FRAGMENTS).map(_long),
    short_text.map(lambda text: _long(text or "x")),
)


# -- what the app showed ---------------------------------------------------------------------

SHOWING = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "views.open",
        "views.push",
        "views.update",
        "views.publish",
        "response_url",
        "ack",
        "response_action",
        "files.completeUploadExternal",
    }
)
# Slack's answers to a payload that breaks its rules (the emulator answers the same way).
REFUSALS = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "msg_too_long",
        "msg_blocks_too_long",
        "view_too_large",
        "no_text",
        "invalid_json",
    }
)


def live_texts(payload: Any) -> Iterator[str]:
    """The strings Slack renders as mrkdwn, where `<!channel>` and `<@U…>` are live: a
    message's `text` and every mrkdwn text object. Not plain_text, input values, ids."""
    if isinstance(payload, dict):
        top = payload.get("text")
        if isinstance(top, str) and payload.get("mrkdwn") is not False:
            yield top
        yield from _mrkdwn(payload)
    elif isinstance(payload, str):
        yield payload


def _mrkdwn(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from _mrkdwn(value)
    elif isinstance(node, list):
        for item in node:
            yield from _mrkdwn(item)


def pings_in(payload: Any, allowed: tuple[str, ...] = ()) -> list[str]:
    found = []
    for text in live_texts(payload):
        for ping in PINGS:
            if ping in text and ping not in allowed:
                at = text.index(ping)
                found.append(text[max(0, at - 30) : at + 40])
    return found


def settle(emulator: SlackEmulator, quiet: float = 0.08, timeout: float = 10.0) -> None:
    """Until the app has made no Slack call for `quiet` seconds (its after-ack work)."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(emulator.calls(include_failed=True))
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.01)


def check_shown(
    calls: list[RecordedCall], reply: DriverResponse, allowed: tuple[str, ...] = ()
) -> None:
    """No refused call, no ping in anything shown, and an ack within Slack's limits."""
    refused = [f"{c.method}: {c.error}" for c in calls if not c.ok and c.error in REFUSALS]
    assert not refused, f"Slack refused what the app sent: {refused}"
    for call in calls:
        if call.method in SHOWING:
            found = pings_in(call.params, allowed) + pings_in(call.params.get("view"), allowed)
            assert not found, f"live syntax from the input in {call.method}: {found}"
    answer = reply.json()
    if isinstance(answer, dict):
        assert not pings_in(answer, allowed) and not pings_in(answer.get("view"), allowed)
        if "view" in answer:
            assert check_view(answer["view"]) is None, check_view(answer["view"])
        elif answer.get("text") or answer.get("blocks"):
            assert check_message(answer.get("text"), answer.get("blocks")) is None
    else:
        assert not pings_in(reply.text, allowed), reply.text[:200]
        assert check_message(reply.text, None) is None


def people_rows(services: Services) -> dict[str, tuple[Any, ...]]:
    """Every person's row by Slack id."""
    return {str(row[2]): row for row in snapshot(services.database)["people"]}


def others_unchanged(
    before: dict[str, tuple[Any, ...]], after: dict[str, tuple[Any, ...]], actor: str
) -> None:
    changed = [uid for uid, row in before.items() if uid != actor and after.get(uid) != row]
    assert not changed, f"rows of other people changed: {changed}"


def label(name: str) -> None:
    """Hypothesis statistics; the same checks also run in plain parametrized tests."""
    try:
        event(name)
    except InvalidArgument:
        return


def assert_no_broadcast_anywhere(emulator: SlackEmulator) -> None:
    """Once a module's examples are done, whichever example's after-ack work posted it: no
    message, view or answer anywhere holds `<!channel>`, `<!here>`, `<!everyone>` or a group
    mention."""
    settle(emulator, quiet=0.3)
    mentions = ("<@U0FUZZ", "<@W0FUZZ")  # checked per example: designating commands show them
    for call in emulator.calls(include_failed=True):
        if call.method in SHOWING:
            found = pings_in(call.params, mentions) + pings_in(call.params.get("view"), mentions)
            assert not found, f"{call.method}: {found}"
