"""The sandbox's pure parts: typed commands as Slack escapes them, simulated time labels, and
what a person's snapshot lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.emulator import seed_users
from bot.sandbox.snapshot import conversation_label, moment_label, people_list
from bot.sandbox.timeline import RecordingClock, simulated_at
from bot.sandbox.typed import NotACommand, SlashCommand, escape_mentions, parse

PEOPLE = seed_users()


def test_a_typed_command_is_split_and_escaped_as_slack_sends_it() -> None:
    assert parse("  /Mentoring   status  ", PEOPLE) == SlashCommand("/mentoring", "status")
    assert parse("/coach", PEOPLE) == SlashCommand("/coach", "")
    assert parse("/mentoring thanks @dot for <b>reviews</b> & more", PEOPLE) == SlashCommand(
        "/mentoring",
        "thanks <@U0DOROTHEA01|dorothea.vance> for &lt;b&gt;reviews&lt;/b&gt; &amp; more",
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@Kofi and @kofi.adeyemi", "<@U0KOFI01|kofi.adeyemi> and <@U0KOFI01|kofi.adeyemi>"),
        ("thanks @Marcus.", "thanks <@U0MARCUS01|marcus.delacroix>."),
        ("@nobody stays, so does a@b.c", "@nobody stays, so does a@b.c"),
        ("<!channel> cannot ping", "&lt;!channel&gt; cannot ping"),
    ],
)
def test_mentions(typed: str, expected: str) -> None:
    assert escape_mentions(typed, PEOPLE) == expected


@pytest.mark.parametrize("typed", ["hello", "", "/giphy cats", "mentor me"])
def test_anything_else_is_refused_with_a_hint(typed: str) -> None:
    with pytest.raises(NotACommand, match=r"/mentor"):
        parse(typed, PEOPLE)


def test_simulated_time_of_a_wall_clock_moment() -> None:
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    moves = [(0.0, start), (100.0, start + timedelta(hours=1)), (100.5, start + timedelta(days=1))]
    assert simulated_at(moves, 50.0) == start
    assert simulated_at(moves, 100.0) == start + timedelta(hours=1)
    assert simulated_at(moves, 100.2) == start + timedelta(hours=1)
    assert simulated_at(moves, 999.0) == start + timedelta(days=1)
    clock = RecordingClock(start)
    clock.advance(timedelta(days=7))
    assert clock() == start + timedelta(days=7)
    assert clock.at(0.0) == start
    assert clock.at(datetime.now(UTC).timestamp() + 1) == start + timedelta(days=7)


def test_labels() -> None:
    moment = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert moment_label(moment) == "Mon 2 Mar 2026, 09:05 UTC"
    assert moment_label(moment, "America/Chicago") == "Mon 2 Mar 2026, 03:05 CST"
    assert moment_label(moment, "Not/AZone") == "Mon 2 Mar 2026, 09:05 UTC"
    names = {"U1": "Ana", "U2": "Bo"}
    assert conversation_label({"kind": "im", "name": "D1", "members": ["U1"]}, "U1", names) == (
        "Mentorbot"
    )
    group = {"kind": "mpim", "name": "mpdm", "members": ["U1", "U2"]}
    assert conversation_label(group, "U1", names) == "Bo and Mentorbot"
    channel = {"kind": "channel", "name": "kudos", "members": []}
    assert conversation_label(channel, "U1", names) == "#kudos"


def test_people_are_tagged_by_what_they_do() -> None:
    listed = {
        p["id"]: p["tags"]
        for p in people_list(
            PEOPLE, coordinators={"U0MARCUS01"}, mentors={"U0TOMAS01"}, coaches={"U0DOROTHEA01"}
        )
    }
    assert listed["U0MARCUS01"] == ["coordinator"]
    assert listed["U0TOMAS01"] == ["manager", "mentor"]
    assert listed["U0DOROTHEA01"] == ["coach"]
    assert listed["U0KOFI01"] == []
