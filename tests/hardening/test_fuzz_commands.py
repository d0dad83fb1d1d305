"""Fuzzed slash commands: whatever people type after `/mentoring`, `/mentor` and `/coach` gets a
clear answer within the ack deadline, never a ping from the typed text, never another person's
rows changed.

MENTORBOT_LONG_TESTS=1 runs 20 times as many examples.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.program import MARCUS
from bot.emulator import (
    DriverResponse,
    RecordedCall,
    SlackDriver,
    SlackEmulator,
)
from bot.services import Services
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


def _answered(reply: DriverResponse, calls: list[RecordedCall]) -> bool:
    """A command's answer is clear: text or blocks in the ack, or a modal, or a message."""
    if reply.as_message():
        return True
    shown = {"views.open", "response_url", "chat.postEphemeral", "chat.postMessage"}
    return any(c.method in shown and c.ok for c in calls)


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
    label("ack with text" if reply.as_message() else "empty ack, then a modal or message")
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


def test_nothing_in_the_workspace_holds_a_broadcast(
    world: tuple[SlackDriver, SlackEmulator, Services],
) -> None:
    """After all of the above, whichever command's after-ack work posted it."""
    assert_no_broadcast_anywhere(world[1])
