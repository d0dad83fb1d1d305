"""Fuzzed modal fields: every field of the request, offer and reflection modals (unicode, control
characters, 10,000-character strings, mrkdwn, broadcasts, mentions of nobody, SQL fragments) gets a
clear answer: inline errors on known blocks or the next view; free text is stored as typed (less
what clean_input drops); and, at the end, nothing in the workspace holds a broadcast.

MENTORBOT_LONG_TESTS=1 runs 20 times as many examples.
"""

from __future__ import annotations

import time
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.cli.program import PRIYA, TOMAS
from bot.emulator import (
    SlackDriver,
    SlackEmulator,
)
from bot.emulator.driver import find_action, input_values
from bot.forms import NEED_MAX
from bot.services import Services
from bot.text import clean_input, shorten
from handlers import ids
from storage.models import MentoringRequest, Offer, Person, Reflection
from tests.hardening.fuzz_support import (
    ACK_SECONDS,
    ACTOR,
    assert_no_broadcast_anywhere,
    check_shown,
    fuzz,
    hostile_text,
    label,
    others_unchanged,
    people_rows,
    settle,
    short_text,
)

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
    label(f"response_action={action}")
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
    """After all of the above, whichever example's after-ack work posted it."""
    assert_no_broadcast_anywhere(world[1])
