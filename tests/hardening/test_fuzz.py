"""Fuzzed input: what people type after `/mentoring`, `/mentor` and `/coach`, and into every field
of the request, offer and reflection modals: unicode, control characters, direction marks,
10,000-character strings, mrkdwn, `<!channel>`, `<!here>`, mentions of people who do not exist,
SQL fragments.

For every input: no 5xx (nor Bolt's 404); the answer is a clear message (an ack with text or
blocks, a modal, a response_action with errors or a new view); nothing the person typed comes
back as live Slack syntax (a ping) in anything the app showed or posted; no Block Kit limit is
broken (the emulator refuses those, and acks are checked with its own limits); other people's
rows are untouched, and free text is stored as typed (less what clean_input drops).

MENTORBOT_LONG_TESTS=1 runs 20 times as many examples.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from sqlmodel import select

from bot.cli.program import DOT, MARCUS, PRIYA, TOMAS
from bot.emulator import (
    DriverResponse,
    RecordedCall,
    SlackDriver,
    SlackEmulator,
    check_message,
    check_view,
)
from bot.emulator.driver import find_action, input_values
from bot.forms import NEED_MAX
from bot.services import Services
from bot.text import clean_input, shorten
from handlers import ids
from storage.models import MentoringRequest, Offer, Person, Reflection
from tests.conftest import TEAM_ID, RunningApp
from tests.support import seed_pair, snapshot

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
SUBCOMMANDS = (
    "",
    "help",
    "offer",
    "me",
    "plan",
    "group",
    "reflect",
    "mute",
    "unmute",
    "my-data",
    "forget-me",
    "thanks",
    "shoutouts",
    "end",
    "status",
    "report",
    "export",
    "coordinators",
    "pulse",
    "cohort",
    "frobnicate",
)
# Subcommands that take mentions as whom they are about: the app may show those people.
DESIGNATING = frozenset({"group", "thanks", "coordinators", "status"})


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


def _answered(reply: DriverResponse, calls: list[RecordedCall]) -> bool:
    """A command's answer is clear: text or blocks in the ack, or a modal, or a message."""
    if reply.as_message():
        return True
    shown = {"views.open", "response_url", "chat.postEphemeral", "chat.postMessage"}
    return any(c.method in shown and c.ok for c in calls)


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(
    module_app: RunningApp, module_driver: SlackDriver, module_emulator: SlackEmulator
) -> tuple[SlackDriver, SlackEmulator, Services]:
    """The actor in the workspace (their manager is Tomás) with a coaching relationship with
    Dot, so /mentoring reflect, plan and end have something to show."""
    module_emulator.add_team(
        "xoxb-emulator-token",
        TEAM_ID,
        [
            {
                "id": ACTOR,
                "name": "actor",
                "real_name": "Fuzz Actor",
                "display_name": "Actor",
                "tz": "America/Chicago",
                "manager": TOMAS,
            }
        ],
    )
    services = module_app.services
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(ACTOR, "America/Chicago"),
        due=[services.now()],
    )
    return module_driver, module_emulator, services


def _command(
    world: tuple[SlackDriver, SlackEmulator, Services],
    user: str,
    command: str,
    text: str,
    allowed: tuple[str, ...] = (),
) -> None:
    driver, emulator, services = world
    before = people_rows(services)
    mark = len(emulator.calls(include_failed=True))
    reply = driver.command(user, command, text)
    assert reply.status == 200, f"{command} {text[:80]!r}: {reply.status} {reply.text[:200]}"
    assert reply.elapsed < ACK_SECONDS
    deadline = time.monotonic() + 5  # an empty ack: the modal or message follows it
    while not _answered(reply, emulator.calls(include_failed=True)[mark:]):
        assert time.monotonic() < deadline, f"{command} {text[:80]!r}: no answer"
        time.sleep(0.01)
    settle(emulator)
    calls = emulator.calls(include_failed=True)[mark:]
    _label("ack with text" if reply.as_message() else "empty ack, then a modal or message")
    check_shown(calls, reply, allowed)
    others_unchanged(before, people_rows(services), user)
    for view in emulator.open_views(user):  # close what the command opened
        emulator.close_view(str(view["id"]))


# -- slash commands --------------------------------------------------------------------------


@fuzz(60)
@given(subcommand=st.sampled_from(SUBCOMMANDS), rest=hostile_text, coordinator=st.booleans())
def test_mentoring_anything(
    world: tuple[SlackDriver, SlackEmulator, Services],
    subcommand: str,
    rest: str,
    coordinator: bool,
) -> None:
    text = f"{subcommand} {rest}" if subcommand else rest
    allowed = ("<@U0FUZZ", "<@W0FUZZ") if subcommand in DESIGNATING else ()
    _command(world, MARCUS if coordinator else ACTOR, "/mentoring", text, allowed)


@fuzz(30)
@given(command=st.sampled_from(["/mentor", "/coach"]), text=hostile_text)
def test_mentor_and_coach_anything(
    world: tuple[SlackDriver, SlackEmulator, Services], command: str, text: str
) -> None:
    _command(world, ACTOR, command, text)


@pytest.mark.parametrize(
    ("command", "text"),
    [("/mentor", "payload systems design"), ("/mentoring", "payload"), ("/coach", "payload=1")],
)
def test_a_command_whose_text_says_payload_is_still_a_command(
    world: tuple[SlackDriver, SlackEmulator, Services], command: str, text: str
) -> None:
    """Found by the fuzzing above: Bolt took such a command for an interaction (404)."""
    _command(world, ACTOR, command, text)


# -- modals ----------------------------------------------------------------------------------


def _open(world: tuple[SlackDriver, SlackEmulator, Services], command: str, text: str) -> str:
    driver, emulator, _ = world
    for view in emulator.open_views(ACTOR):
        emulator.close_view(str(view["id"]))
    reply = driver.command(ACTOR, command, text)
    assert reply.status == 200, reply.text
    deadline = time.monotonic() + 5
    while not emulator.open_views(ACTOR):
        assert time.monotonic() < deadline, f"{command} {text} opened no modal"
        time.sleep(0.01)
    settle(emulator)
    return str(emulator.open_views(ACTOR)[-1]["id"])


def _state(view: dict[str, Any], raw: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """view.state.values with the initial values, each `raw` element state replacing one
    element's (None: the field left empty)."""
    state = input_values(view, {})
    for action_id, element_state in raw.items():
        found = find_action(view.get("blocks") or [], action_id)
        if found is None:
            continue
        block_id, element = found
        block = state.setdefault(block_id, {})
        block[action_id] = {"type": element.get("type"), **(element_state or {})}
    return state


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value[:75] or "x"}, "value": value}


def text_state(value: str | None) -> dict[str, Any] | None:
    return None if value is None else {"value": value}


State = dict[str, Any] | None
Choices = dict[str, tuple[st.SearchStrategy[State], st.SearchStrategy[State]]]
BOGUS = ["", "0", "999", "bogus", "x" * 200]


def one_option(valid: list[str]) -> tuple[st.SearchStrategy[State], st.SearchStrategy[State]]:
    """A select or radio field: (one of its options, nothing or a value Slack never sends)."""
    good = st.sampled_from(valid).map(lambda v: {"selected_option": _option(v)})
    bad = st.one_of(
        st.none(), st.sampled_from(BOGUS).map(lambda v: {"selected_option": _option(v)})
    )
    return good, bad


def some_options(valid: list[str]) -> tuple[st.SearchStrategy[State], st.SearchStrategy[State]]:
    """A checkboxes field: (some of its options, nothing or values Slack never sends)."""
    good = st.lists(st.sampled_from(valid), min_size=1, unique=True).map(
        lambda vs: {"selected_options": [_option(v) for v in vs]}
    )
    bad = st.one_of(
        st.none(),
        st.lists(st.sampled_from([*valid, *BOGUS]), max_size=4).map(
            lambda vs: {"selected_options": [_option(v) for v in vs]}
        ),
    )
    return good, bad


@st.composite
def choices(draw: st.DrawFn, fields: Choices) -> dict[str, State]:
    """Every choice field answered properly, or (about half the time) one of them spoilt: so
    the free text is fuzzed both on the way to being stored and next to inline errors."""
    spoilt = draw(st.one_of(st.none(), st.sampled_from(sorted(fields))))
    return {name: draw(bad if name == spoilt else good) for name, (good, bad) in fields.items()}


# For free-text fields: half the time something that survives clean_input (so the text goes on
# to be stored and shown), else anything, or the field left empty.
field_text = st.one_of(
    short_text.map(lambda text: f"{text} ✓"),
    short_text.map(lambda text: f"✓ {text}"),
    hostile_text,
    st.none(),
)


def _submit(
    world: tuple[SlackDriver, SlackEmulator, Services],
    view_id: str,
    raw: dict[str, dict[str, Any] | None],
) -> dict[str, Any]:
    """Submit the modal with `raw` field states; the checks every submission must pass.
    Returns the app's answer."""
    driver, emulator, services = world
    view = emulator.view(view_id)
    before = people_rows(services)
    mark = len(emulator.calls(include_failed=True))
    reply = driver.submit_view(ACTOR, view_id, _state(view, raw))
    assert reply.status == 200, f"{reply.status} {reply.text[:300]}"
    assert reply.elapsed < ACK_SECONDS
    answer = reply.json()
    assert isinstance(answer, dict), f"no clear answer: {reply.text[:200]!r}"
    action = answer.get("response_action")
    assert action in ("errors", "update", "push"), answer
    _label(f"response_action={action}")
    if action == "errors":
        errors = answer["errors"]
        blocks = {str(b.get("block_id")) for b in view.get("blocks") or []}
        assert errors and set(errors) <= blocks, errors
        assert all(isinstance(m, str) and 0 < len(m) <= 2000 for m in errors.values()), errors
    settle(emulator)
    check_shown(emulator.calls(include_failed=True)[mark:], reply)
    others_unchanged(before, people_rows(services), ACTOR)
    return answer


def _latest(services: Services, model: Any, **where: Any) -> Any:
    with services.database.reading() as session:
        statement = select(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        rows = list(session.exec(statement).all())
    return max(rows, key=lambda row: row.id) if rows else None


def _actor_id(services: Services) -> int:
    person = _latest(services, Person, slack_user_id=ACTOR)
    assert person is not None
    return int(person.id)


REQUEST_CHOICES: Choices = {
    ids.REQUEST_DRIVERS: some_options(["job_requirements", "career_enhancement", "performance"]),
    ids.REQUEST_SCOPE: one_option(["specific_skill", "broad_direction", "unsure"]),
    ids.REQUEST_FORMAT: one_option(["one_to_one", "group", "observation"]),
    ids.REQUEST_TIME: one_option(["30m_fortnight", "1h_fortnight", "1h_week", "2h_week"]),
    ids.REQUEST_MANAGER: (
        st.sampled_from([PRIYA, TOMAS, "U0FUZZ01"]).map(lambda u: {"selected_user": u}),
        st.one_of(
            st.none(),
            st.sampled_from([ACTOR, "", "not-a-user", "U" * 40]).map(
                lambda u: {"selected_user": u}
            ),
            hostile_text.map(lambda u: {"selected_user": u}),
        ),
    ),
}


@fuzz(40)
@given(
    need=field_text,
    summary=field_text,
    picked=choices(REQUEST_CHOICES),
    opened_with=st.one_of(st.just(""), hostile_text),
)
def test_request_modal_fields(
    world: tuple[SlackDriver, SlackEmulator, Services],
    need: str | None,
    summary: str | None,
    picked: dict[str, State],
    opened_with: str,
) -> None:
    _, _, services = world
    view_id = _open(world, "/coach", opened_with)
    raw = {ids.REQUEST_NEED: text_state(need), ids.REQUEST_SUMMARY: text_state(summary), **picked}
    before = _latest(services, MentoringRequest, requester_id=_actor_id(services))
    answer = _submit(world, view_id, raw)
    saved = _latest(services, MentoringRequest, requester_id=_actor_id(services))
    if answer["response_action"] == "update":
        assert saved is not None and (before is None or saved.id != before.id)
        assert saved.need == clean_input(need or opened_with_value(opened_with))
        assert saved.summary == clean_input(summary or "")
    else:
        assert saved == before, "a refused request was stored"


def opened_with_value(text: str) -> str:
    """What the form's need field held when it opened with `text` (its initial value)."""
    return shorten(text, NEED_MAX)


OFFER_CHOICES: Choices = {
    ids.OFFER_ROLES: some_options(["mentor", "coach"]),
    ids.OFFER_STYLE: one_option(["teacher", "guide"]),
    ids.OFFER_FORMATS: some_options(["one_to_one", "group", "observation"]),
    ids.OFFER_CAPACITY: (
        st.sampled_from(["1", "3", "10", " 3 "]).map(text_state),
        st.one_of(
            st.none(),
            st.sampled_from(["11", "0", "-1", "\uff11\uff10", "3.0", "1e1", "\u0663", ""]).map(
                text_state
            ),
            hostile_text.map(text_state),
        ),
    ),
}


@fuzz(40)
@given(topics=field_text, availability=field_text, picked=choices(OFFER_CHOICES))
def test_offer_modal_fields(
    world: tuple[SlackDriver, SlackEmulator, Services],
    topics: str | None,
    availability: str | None,
    picked: dict[str, State],
) -> None:
    _, _, services = world
    view_id = _open(world, "/mentoring", "offer")
    raw = {
        ids.OFFER_TOPICS: text_state(topics),
        ids.OFFER_AVAILABILITY: text_state(availability),
        **picked,
    }
    before = _latest(services, Offer, person_id=_actor_id(services))
    answer = _submit(world, view_id, raw)
    saved = _latest(services, Offer, person_id=_actor_id(services))
    if answer["response_action"] == "update":
        assert saved is not None
        assert saved.topics == clean_input(topics or "")
        assert saved.availability == clean_input(availability or "")
        assert 1 <= saved.capacity <= 10
    else:
        assert saved == before, "a refused offer was stored"


REFLECTION_CHOICES: Choices = {
    ids.REFLECT_USEFUL: one_option(["1", "2", "3", "4", "5"]),
    ids.REFLECT_SHARING: some_options(["partner", "reports"]),
    # the picker's own first option (the actor's relationship), or someone else's, or junk
    ids.REFLECT_RELATIONSHIP: (
        st.just(None),
        st.sampled_from(["", "0", "1", "999999", "abc", "-1"]).map(
            lambda v: {"selected_option": _option(v)}
        ),
    ),
}


@fuzz(40)
@given(learned=field_text, next_step=field_text, picked=choices(REFLECTION_CHOICES))
def test_reflection_modal_fields(
    world: tuple[SlackDriver, SlackEmulator, Services],
    learned: str | None,
    next_step: str | None,
    picked: dict[str, State],
) -> None:
    _, _, services = world
    view_id = _open(world, "/mentoring", "reflect")
    raw = {ids.REFLECT_LEARNED: text_state(learned), ids.REFLECT_NEXT: text_state(next_step)}
    raw.update(
        {k: v for k, v in picked.items() if not (k == ids.REFLECT_RELATIONSHIP and v is None)}
    )
    before = _latest(services, Reflection)
    answer = _submit(world, view_id, raw)
    saved = _latest(services, Reflection)
    if answer["response_action"] == "update":
        assert saved is not None and (before is None or saved.id != before.id)
        assert saved.learned == clean_input(learned or "")
    else:
        assert saved == before, "a refused reflection was stored"


def test_nothing_in_the_workspace_holds_a_broadcast(
    world: tuple[SlackDriver, SlackEmulator, Services],
) -> None:
    """After all of the above, whichever example's after-ack work posted it: no message, view
    or answer anywhere holds `<!channel>`, `<!here>`, `<!everyone>` or a group mention."""
    _, emulator, _ = world
    settle(emulator, quiet=0.3)
    mentions = ("<@U0FUZZ", "<@W0FUZZ")  # checked per example: designating commands show them
    for call in emulator.calls(include_failed=True):
        if call.method in SHOWING:
            found = pings_in(call.params, mentions) + pings_in(call.params.get("view"), mentions)
            assert not found, f"{call.method}: {found}"


def _label(name: str) -> None:
    """Hypothesis statistics; the same checks also run in plain parametrized tests."""
    try:
        event(name)
    except InvalidArgument:
        return
