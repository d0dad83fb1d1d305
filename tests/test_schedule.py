"""Checkpoints of a mentoring contract, meeting times across zones and nudges: `bot.schedule`.

Offsets used below (2026): Europe/London GMT (+0) until Sun 29 March, then BST (+1);
America/New_York EST (-5) until Sun 8 March, then EDT (-4) — so from 9 to 27 March the two are
4 hours apart instead of 5; Australia/Sydney AEDT (+11) until Sun 5 April, then AEST (+10);
Asia/Tokyo (+9) and Pacific/Honolulu (-10) have no daylight-saving time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule import (
    MAX_SLOTS,
    WORKDAY_END,
    WORKDAY_START,
    Rhythm,
    Slot,
    checkpoints,
    meeting_time,
    next_working_day,
    nudge_time,
)

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
SYDNEY = "Australia/Sydney"
TOKYO = "Asia/Tokyo"
HONOLULU = "Pacific/Honolulu"
MON, TUE, WED, THU, FRI = range(5)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(at: datetime, name: str) -> tuple[date, str]:
    """The local date and "HH:MM" of an instant in a zone."""
    there = at.astimezone(ZoneInfo(name))
    return there.date(), there.strftime("%H:%M")


def days_of(slots: list[Slot], name: str) -> list[date]:
    return [slot.at.astimezone(ZoneInfo(name)).date() for slot in slots]


# --- meeting_time ---------------------------------------------------------------------------


def test_london_and_new_york_in_winter_meet_in_the_new_york_morning() -> None:
    # Wed 14 Jan: 10:00 London = 05:00 New York. A 60-minute meeting fits both 9-17 when it
    # starts 14:00..16:00 London (09:00..11:00 New York): the earliest is 14:00 GMT = 14:00 UTC.
    at = meeting_time(date(2026, 1, 14), [LONDON, NEW_YORK])
    assert at == utc(2026, 1, 14, 14)
    assert local(at, LONDON) == (date(2026, 1, 14), "14:00")
    assert local(at, NEW_YORK) == (date(2026, 1, 14), "09:00")


def test_in_the_daylight_saving_gap_week_the_overlap_starts_an_hour_earlier() -> None:
    # Wed 18 Mar: New York is on EDT (-4), London still on GMT: 13:00 London = 09:00 New York.
    at = meeting_time(date(2026, 3, 18), [LONDON, NEW_YORK])
    assert at == utc(2026, 3, 18, 13)
    assert local(at, NEW_YORK) == (date(2026, 3, 18), "09:00")


def test_in_summer_both_have_moved_and_the_local_time_is_back_to_14() -> None:
    # Wed 17 Jun: BST (+1) and EDT (-4): 14:00 London = 13:00 UTC = 09:00 New York.
    at = meeting_time(date(2026, 6, 17), [LONDON, NEW_YORK])
    assert at == utc(2026, 6, 17, 13)
    assert local(at, LONDON) == (date(2026, 6, 17), "14:00")


def test_the_learner_zone_comes_first() -> None:
    # New York learner, London guide, Wed 14 Jan: New York 09:00..11:00 fits London 14..17;
    # the earliest at/after 10:00 New York is preferred: 10:00 EST = 15:00 UTC = 15:00 London.
    assert meeting_time(date(2026, 1, 14), [NEW_YORK, LONDON]) == utc(2026, 1, 14, 15)


def test_earliest_fitting_everyone_even_before_ten() -> None:
    # Denver (MST, -7) learner and London guide, Wed 14 Jan: 09:00 Denver = 16:00 London is the
    # only start where both fit (09:30 Denver would end 17:30 London); nothing at/after 10:00.
    assert meeting_time(date(2026, 1, 14), ["America/Denver", LONDON]) == utc(2026, 1, 14, 16)
    # 30 minutes: 09:00 and 09:30 Denver both fit; the earliest wins.
    at = meeting_time(date(2026, 1, 14), ["America/Denver", LONDON], minutes=30)
    assert at == utc(2026, 1, 14, 16)


def test_sydney_and_london_have_no_overlap_so_the_learner_gets_ten_oclock() -> None:
    # Tue 16 Jun: AEST (+10) and BST (+1): 09-17 Sydney is 00-08 London. Nobody else can fit,
    # so the learner's 10:00 is used: 10:00 AEST = 00:00 UTC.
    at = meeting_time(date(2026, 6, 16), [SYDNEY, LONDON])
    assert at == utc(2026, 6, 16, 0)
    assert local(at, SYDNEY) == (date(2026, 6, 16), "10:00")
    # London learner, Sydney guide: 09-17 London = 18:00-02:00 Sydney; 10:00 London again.
    assert meeting_time(date(2026, 6, 16), [LONDON, SYDNEY]) == utc(2026, 6, 16, 9)


def test_most_people_fit_when_not_everyone_can() -> None:
    # London learner, New York guide, Sydney observer in winter: Sydney can never join, but
    # 14:00 London still fits London and New York (two of three).
    at = meeting_time(date(2026, 1, 14), [LONDON, NEW_YORK, SYDNEY])
    assert at == utc(2026, 1, 14, 14)


def test_a_weekend_for_the_other_person_does_not_count_as_fitting() -> None:
    # Honolulu (-10) learner, Tokyo (+9) guide: 14:00 Honolulu = 09:00 Tokyo the next day.
    # Thu 15 Jan 14:00 HST = Fri 16 Jan 09:00 JST: a Tokyo working day.
    assert meeting_time(date(2026, 1, 15), [HONOLULU, TOKYO]) == utc(2026, 1, 16, 0)
    # Fri 16 Jan 14:00 HST would be Saturday in Tokyo: nobody else fits, so 10:00 Honolulu.
    assert meeting_time(date(2026, 1, 16), [HONOLULU, TOKYO]) == utc(2026, 1, 16, 20)


def test_unknown_zones_count_as_utc() -> None:
    # Unknown learner zone = UTC: 14:00 UTC = 09:00 EST.
    assert meeting_time(date(2026, 1, 14), ["Mars/Olympus_Mons", NEW_YORK]) == utc(2026, 1, 14, 14)
    # London in summer (+1) and an unknown (UTC) guide: 10:00 BST = 09:00 UTC fits both.
    assert meeting_time(date(2026, 6, 17), [LONDON, "not a zone"]) == utc(2026, 6, 17, 9)
    assert meeting_time(date(2026, 6, 17), []) == utc(2026, 6, 17, 10)
    assert meeting_time(date(2026, 6, 17), LONDON) == utc(2026, 6, 17, 9)  # one name, not letters


def test_meeting_length() -> None:
    # 90 minutes from 14:00 London ends 10:30 New York: still fine.
    assert meeting_time(date(2026, 1, 14), [LONDON, NEW_YORK], 90) == utc(2026, 1, 14, 14)
    # A whole working day only fits at 09:00 learner-local (New York cannot join).
    assert meeting_time(date(2026, 1, 14), [LONDON, NEW_YORK], 480) == utc(2026, 1, 14, 9)
    for minutes in (0, -5, 481):
        with pytest.raises(ValueError, match="minutes"):
            meeting_time(date(2026, 1, 14), [LONDON], minutes)


# --- next_working_day ------------------------------------------------------------------------


def test_next_working_day() -> None:
    friday, saturday = date(2026, 3, 6), date(2026, 3, 7)
    assert next_working_day(friday) == friday
    assert next_working_day(saturday) == date(2026, 3, 9)
    assert next_working_day(friday, frozenset({TUE, THU})) == date(2026, 3, 10)
    assert next_working_day(date(2026, 3, 10), frozenset({TUE, THU})) == date(2026, 3, 10)
    with pytest.raises(ValueError, match="Monday"):
        next_working_day(friday, frozenset({5}))


# --- checkpoints across daylight-saving changes -------------------------------------------------


def test_weekly_checkpoints_across_both_daylight_saving_changes() -> None:
    # London learner, New York guide, every Monday from 2 Mar to 20 Apr 2026, every session.
    slots = checkpoints(
        Rhythm(date(2026, 3, 2), date(2026, 4, 20), 7, review_every=1), [LONDON, NEW_YORK]
    )
    mondays = [date(2026, 3, 2) + timedelta(weeks=n) for n in range(8)]
    assert days_of(slots, LONDON) == mondays
    # London local / New York local / UTC:
    #   2 Mar        GMT, EST (5h apart): 14:00 / 09:00 / 14:00
    #   9-23 Mar     GMT, EDT (4h apart): 13:00 / 09:00 / 13:00  ← US change: New York stays at
    #                                                               09:00, the UTC instant moves
    #   30 Mar-20 Apr BST, EDT (5h apart): 14:00 / 09:00 / 13:00  ← UK change: UTC stays, London
    #                                                               moves back to 14:00
    assert [local(slot.at, LONDON)[1] for slot in slots] == ["14:00"] + ["13:00"] * 3 + [
        "14:00"
    ] * 4
    assert [local(slot.at, NEW_YORK)[1] for slot in slots] == ["09:00"] * 8
    assert [slot.at.hour for slot in slots] == [14] + [13] * 7
    assert slots[1].at - slots[0].at == timedelta(days=7, hours=-1)
    assert slots[5].at - slots[4].at == timedelta(days=7)
    for slot in slots:
        assert slot.at.utcoffset() == timedelta(0)
        assert slot.at.astimezone(ZoneInfo(LONDON)).weekday() == MON
        _assert_inside_working_hours(slot.at, LONDON, 60)
        _assert_inside_working_hours(slot.at, NEW_YORK, 60)


def test_weekly_checkpoints_across_the_southern_hemisphere_change() -> None:
    # Sydney learner, London guide, every Monday 16 Mar..27 Apr 2026 (Sydney leaves AEDT on
    # Sun 5 Apr; London enters BST on Sun 29 Mar). No overlap with London: 10:00 Sydney always.
    #   16, 23 Mar: 10:00 AEDT = 23:00 UTC the day before (London 23:00 GMT)
    #   30 Mar:     10:00 AEDT = 23:00 UTC (London 00:00 BST)
    #   6..27 Apr:  10:00 AEST = 00:00 UTC (London 01:00 BST) ← UTC moves, Sydney stays 10:00
    rhythm = Rhythm(date(2026, 3, 16), date(2026, 4, 27), 7, review_every=1)
    slots = checkpoints(rhythm, [SYDNEY, LONDON])
    assert days_of(slots, SYDNEY) == [date(2026, 3, 16) + timedelta(weeks=n) for n in range(7)]
    assert [local(slot.at, SYDNEY)[1] for slot in slots] == ["10:00"] * 7
    assert [slot.at for slot in slots][2:4] == [utc(2026, 3, 29, 23), utc(2026, 4, 6, 0)]
    assert [slot.at.hour for slot in slots] == [23] * 3 + [0] * 4
    # With a Tokyo guide (no DST) the UTC instant stays put and Sydney's clock moves instead:
    #   until 5 Apr 11:00 AEDT = 09:00 JST = 00:00 UTC; from 6 Apr 10:00 AEST = 09:00 JST.
    slots = checkpoints(rhythm, [SYDNEY, TOKYO])
    assert [local(slot.at, SYDNEY)[1] for slot in slots] == ["11:00"] * 3 + ["10:00"] * 4
    assert [local(slot.at, TOKYO)[1] for slot in slots] == ["09:00"] * 7
    assert {slot.at.time().isoformat() for slot in slots} == {"00:00:00"}
    for slot in slots:
        assert slot.at.astimezone(ZoneInfo(SYDNEY)).weekday() == MON
        _assert_inside_working_hours(slot.at, SYDNEY, 60)


# --- cadence, review_every, preferred weekdays -------------------------------------------------


def test_review_every_counts_sessions_from_one() -> None:
    # Sessions on Mondays 2 Mar (session 1), 9 Mar (2), 16 Mar (3), … 20 Apr (8).
    start, end = date(2026, 3, 2), date(2026, 4, 20)
    slots = checkpoints(Rhythm(start, end, 7), [LONDON])  # default: every 2nd session
    assert days_of(slots, LONDON) == [
        date(2026, 3, 9),
        date(2026, 3, 23),
        date(2026, 4, 6),
        date(2026, 4, 20),
    ]
    slots = checkpoints(Rhythm(start, end, 7, review_every=3), [LONDON])
    assert days_of(slots, LONDON) == [date(2026, 3, 16), date(2026, 4, 6)]
    slots = checkpoints(Rhythm(start, end, 14, review_every=1), [LONDON])
    assert days_of(slots, LONDON) == [
        date(2026, 3, 2),
        date(2026, 3, 16),
        date(2026, 3, 30),
        date(2026, 4, 13),
    ]


def test_sessions_on_a_weekend_move_to_the_next_working_day() -> None:
    # Starting on Saturday 7 Mar with a weekly cadence: every session moves to the Monday.
    slots = checkpoints(Rhythm(date(2026, 3, 7), date(2026, 4, 6), 7, review_every=1), [LONDON])
    assert days_of(slots, LONDON) == [date(2026, 3, 9) + timedelta(weeks=n) for n in range(5)]


def test_preferred_weekdays_and_never_past_the_end() -> None:
    # Mondays moved to Tuesday; the 20 Apr session would move to 21 Apr, after the end: dropped.
    rhythm = Rhythm(date(2026, 3, 2), date(2026, 4, 20), 7, 1, frozenset({TUE, THU}))
    slots = checkpoints(rhythm, [LONDON, NEW_YORK])
    assert days_of(slots, LONDON) == [date(2026, 3, 3) + timedelta(weeks=n) for n in range(7)]
    # A Thursday start keeps Thursdays.
    rhythm = Rhythm(date(2026, 3, 5), date(2026, 3, 26), 7, 1, frozenset({TUE, THU}))
    assert days_of(checkpoints(rhythm, [LONDON]), LONDON) == [
        date(2026, 3, 5) + timedelta(weeks=n) for n in range(4)
    ]


def test_daily_sessions_moved_onto_the_same_day_count_once() -> None:
    rhythm = Rhythm(date(2026, 3, 2), date(2026, 3, 22), 1, 1, frozenset({WED}))
    slots = checkpoints(rhythm, [LONDON])
    assert days_of(slots, LONDON) == [date(2026, 3, 4), date(2026, 3, 11), date(2026, 3, 18)]
    assert [slot.label for slot in slots] == ["Checkpoint 1", "Checkpoint 2", "Checkpoint 3"]


# --- deliverables --------------------------------------------------------------------------------


def test_deliverables_merge_with_the_cadence_and_replace_nearby_checkpoints() -> None:
    rhythm = Rhythm(date(2026, 3, 2), date(2026, 4, 20), 7, review_every=1)
    deliverables = [
        ("Draft learning plan", date(2026, 3, 11)),  # Wed: drops Mon 9 Mar (2 days before)
        ("Mock interview", date(2026, 3, 21)),  # Sat → Fri 20 Mar; Mon 23 Mar is 3 days on: kept
        ("Portfolio", date(2026, 3, 30)),  # the same day as a session: the session goes
        ("Too early", date(2026, 3, 1)),  # before start: ignored
        ("Too late", date(2026, 4, 21)),  # after end: ignored
    ]
    slots = checkpoints(rhythm, [LONDON, NEW_YORK], deliverables)
    assert [
        (day, slot.reason, slot.label)
        for day, slot in zip(days_of(slots, LONDON), slots, strict=True)
    ] == [
        (date(2026, 3, 2), "cadence", "Checkpoint 1"),
        (date(2026, 3, 11), "deliverable", "Deliverable due: Draft learning plan"),
        (date(2026, 3, 16), "cadence", "Checkpoint 2"),
        (date(2026, 3, 20), "deliverable", "Deliverable due: Mock interview"),
        (date(2026, 3, 23), "cadence", "Checkpoint 3"),
        (date(2026, 3, 30), "deliverable", "Deliverable due: Portfolio"),
        (date(2026, 4, 6), "cadence", "Checkpoint 4"),
        (date(2026, 4, 13), "cadence", "Checkpoint 5"),
        (date(2026, 4, 20), "cadence", "Checkpoint 6"),
    ]
    # Deliverable slots use the same meeting time: 11 Mar 13:00 GMT = 09:00 EDT.
    assert slots[1].at == utc(2026, 3, 11, 13)


def test_deliverables_due_the_same_day_share_one_slot() -> None:
    rhythm = Rhythm(date(2026, 3, 2), date(2026, 3, 13), 14)
    deliverables = [
        ("Reading list", date(2026, 3, 6)),
        ("Reflection  log\n", date(2026, 3, 7)),  # Saturday → Friday 6 Mar
        ("Reading list", date(2026, 3, 8)),  # Sunday → Friday; the same title once
    ]
    slots = checkpoints(rhythm, [LONDON], deliverables)
    assert [slot.label for slot in slots] == ["Deliverable due: Reading list; Reflection log"]
    assert days_of(slots, LONDON) == [date(2026, 3, 6)]


def test_a_weekend_deliverable_on_the_start_moves_forward_not_before_start() -> None:
    rhythm = Rhythm(date(2026, 3, 7), date(2026, 3, 20), 14)  # Saturday start, no cadence slot
    slots = checkpoints(rhythm, [LONDON], [("Kick-off notes", date(2026, 3, 8))])
    assert days_of(slots, LONDON) == [date(2026, 3, 9)]
    assert slots[0].reason == "deliverable"


def test_long_titles_are_shortened_to_80_characters() -> None:
    title = "Build a " + "very " * 30 + "long portfolio"
    rhythm = Rhythm(date(2026, 3, 2), date(2026, 3, 6), 14)
    (slot,) = checkpoints(rhythm, [LONDON], [(title, date(2026, 3, 4))])
    shortened = slot.label.removeprefix("Deliverable due: ")
    assert len(shortened) == 80
    assert shortened.endswith("…")
    assert title.startswith(shortened[:-1])
    (slot,) = checkpoints(rhythm, [LONDON], [("x" * 80, date(2026, 3, 4))])
    assert slot.label == "Deliverable due: " + "x" * 80


# --- fallback and errors -----------------------------------------------------------------------


def test_one_checkpoint_on_the_last_working_day_when_nothing_else_falls_in_range() -> None:
    # Two weeks' cadence, every 2nd session: session 2 is 16 Mar, after the end (Sun 8 Mar).
    slots = checkpoints(Rhythm(date(2026, 3, 2), date(2026, 3, 8), 14), [LONDON, NEW_YORK])
    assert slots == [Slot(utc(2026, 3, 6, 14), "cadence", "Checkpoint 1")]
    # When the only cadence checkpoints give way to a deliverable, the deliverable remains and
    # no fallback is added (every 3 days, every 2nd session: 5 Mar, dropped for 4 Mar).
    slots = checkpoints(
        Rhythm(date(2026, 3, 2), date(2026, 3, 8), 3), [LONDON], [("Essay", date(2026, 3, 4))]
    )
    assert [slot.reason for slot in slots] == ["deliverable"]


@pytest.mark.parametrize(
    ("rhythm", "message"),
    [
        (Rhythm(date(2026, 3, 2), date(2026, 3, 1), 7), "before the start"),
        (Rhythm(date(2026, 3, 2), date(2026, 4, 1), 0), "cadence"),
        (Rhythm(date(2026, 3, 2), date(2026, 4, 1), 91), "cadence"),
        (Rhythm(date(2026, 3, 2), date(2026, 4, 1), 7, review_every=0), "review_every"),
        (
            Rhythm(date(2026, 3, 2), date(2026, 4, 1), 7, preferred_weekdays=frozenset({6})),
            "Monday",
        ),
        (Rhythm(date(2026, 3, 2), date(2026, 4, 1), 7, session_minutes=0), "session"),
        (Rhythm(date(2026, 3, 7), date(2026, 3, 8), 7), "no working day"),
        # 5 Jan..30 Mar 2026 holds 61 weekdays.
        (Rhythm(date(2026, 1, 5), date(2026, 3, 30), 1, review_every=1), "more than 60"),
        (Rhythm(date(2026, 1, 5), date(9999, 12, 31), 1, review_every=1), "more than 60"),
    ],
)
def test_invalid_rhythms(rhythm: Rhythm, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        checkpoints(rhythm, [LONDON])


def test_sixty_slots_are_allowed_and_deliverables_count_towards_the_limit() -> None:
    # 5 Jan..27 Mar 2026 is twelve full working weeks: 60 daily checkpoints.
    rhythm = Rhythm(date(2026, 1, 5), date(2026, 3, 27), 1, review_every=1)
    slots = checkpoints(rhythm, [LONDON])
    assert len(slots) == MAX_SLOTS
    assert slots[-1].label == "Checkpoint 60"
    # A deliverable replaces the checkpoints within 2 days of it rather than adding to them.
    # Wed 4 Feb replaces Mon 2, Tue 3, Wed 4, Thu 5 and Fri 6 Feb: 60 - 5 + 1.
    assert len(checkpoints(rhythm, [LONDON], [("Essay", date(2026, 2, 4))])) == MAX_SLOTS - 4
    # Deliverables alone: a 90-day cadence checked every 6th session gives no cadence slot here.
    sparse = Rhythm(date(2026, 1, 5), date(2026, 12, 31), 90, review_every=6)
    span = (date(2026, 1, 5) + timedelta(days=n) for n in range(120))
    tasks = [(f"Task {n}", day) for n, day in enumerate(d for d in span if d.weekday() < 5)]
    assert len(checkpoints(sparse, [LONDON], tasks[:60])) == MAX_SLOTS
    with pytest.raises(ValueError, match="more than 60"):
        checkpoints(sparse, [LONDON], tasks[:61])


# --- property: weekends never used ---------------------------------------------------------------

ZONES = [
    LONDON, NEW_YORK, SYDNEY, TOKYO, HONOLULU, "Asia/Kolkata", "Asia/Kathmandu",
    "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Pago_Pago",
    "America/St_Johns", "America/Sao_Paulo", "Africa/Nairobi", "UTC", "Nowhere/Unknown",
]  # fmt: skip
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def rhythms(draw: st.DrawFn) -> Rhythm:
    start = draw(days)
    return Rhythm(
        start=start,
        end=start + timedelta(days=draw(st.integers(0, 500))),
        cadence_days=draw(st.integers(1, 90)),
        review_every=draw(st.integers(1, 6)),
        preferred_weekdays=draw(st.frozensets(st.integers(0, 4))),
        session_minutes=draw(st.sampled_from([15, 30, 45, 60, 90, 120])),
    )


@settings(max_examples=300, deadline=None)
@given(
    rhythm=rhythms(),
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3),
    offsets=st.lists(st.tuples(st.text(max_size=100), st.integers(-30, 530)), max_size=8),
)
def test_checkpoints_are_working_days_in_range_sorted_and_unique(
    rhythm: Rhythm, zones: list[str], offsets: list[tuple[str, int]]
) -> None:
    deliverables = [(title, rhythm.start + timedelta(days=n)) for title, n in offsets]
    try:
        slots = checkpoints(rhythm, zones, deliverables)
    except ValueError as error:
        problem = str(error)
    else:
        problem = ""
    if problem:
        no_working_day = all(
            (rhythm.start + timedelta(days=n)).weekday() >= 5
            for n in range((rhythm.end - rhythm.start).days + 1)
        )
        assert "more than 60" in problem or (no_working_day and "no working day" in problem)
        return
    learner = zones[0] if zones[0] != "Nowhere/Unknown" else "UTC"
    assert 1 <= len(slots) <= MAX_SLOTS
    assert [slot.at for slot in slots] == sorted(slot.at for slot in slots)
    local_days = days_of(slots, learner)
    assert len(set(local_days)) == len(local_days)
    for slot, day in zip(slots, local_days, strict=True):
        assert slot.at.utcoffset() == timedelta(0)
        assert day.weekday() < 5
        assert rhythm.start <= day <= rhythm.end
        _assert_inside_working_hours(slot.at, learner, rhythm.session_minutes)
        assert slot.reason in {"cadence", "deliverable"}
        if slot.reason == "deliverable":
            assert slot.label.startswith("Deliverable due: ")
            assert len(slot.label) <= len("Deliverable due: ") + 80
    cadence = [slot for slot in slots if slot.reason == "cadence"]
    assert [slot.label for slot in cadence] == [
        f"Checkpoint {n}" for n in range(1, len(cadence) + 1)
    ]
    if rhythm.preferred_weekdays and len(slots) > 1:
        cadence_days = days_of(cadence, learner)
        assert all(day.weekday() in rhythm.preferred_weekdays for day in cadence_days)


def _assert_inside_working_hours(at: datetime, name: str, minutes: int) -> None:
    start = at.astimezone(ZoneInfo(name))
    finish = (at + timedelta(minutes=minutes)).astimezone(ZoneInfo(name))
    assert start.date() == finish.date()
    assert start.time() >= start.time().replace(hour=WORKDAY_START, minute=0)
    assert (finish.hour, finish.minute) <= (WORKDAY_END, 0)


# --- nudge_time -----------------------------------------------------------------------------------


def test_a_monday_checkpoint_is_nudged_on_friday_morning_local() -> None:
    checkpoint = utc(2026, 1, 12, 14)  # Mon 14:00 London = 09:00 New York
    assert nudge_time(checkpoint, LONDON) == utc(2026, 1, 9, 9)  # Fri 09:00 GMT
    assert nudge_time(checkpoint, NEW_YORK) == utc(2026, 1, 9, 14)  # Fri 09:00 EST
    assert nudge_time(checkpoint, LONDON, hour=16) == utc(2026, 1, 9, 16)


def test_nudges_across_a_daylight_saving_weekend() -> None:
    # Mon 30 Mar 14:00 BST; the Friday before was still GMT: 09:00 GMT = 09:00 UTC (not 08:00).
    assert nudge_time(utc(2026, 3, 30, 13), LONDON) == utc(2026, 3, 27, 9)
    # Mon 9 Mar 09:00 EDT; Friday 6 Mar 09:00 EST = 14:00 UTC.
    assert nudge_time(utc(2026, 3, 9, 13), NEW_YORK) == utc(2026, 3, 6, 14)
    # Mon 6 Apr 10:00 AEST; Friday 3 Apr 09:00 AEDT = 22:00 UTC on Thursday.
    assert nudge_time(utc(2026, 4, 6, 0), SYDNEY) == utc(2026, 4, 2, 22)


def test_a_tuesday_checkpoint_is_nudged_on_monday() -> None:
    checkpoint = datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo(LONDON))  # Tue 09:30 GMT
    nudge = nudge_time(checkpoint, LONDON)
    assert nudge == utc(2026, 3, 9, 9)
    assert nudge.tzinfo is UTC


def test_the_day_before_is_counted_in_the_persons_own_zone() -> None:
    # Mon 09:00 Auckland (NZDT, +13) = Sun 20:00 UTC = Sun 10:00 Honolulu: the Honolulu guide is
    # nudged on Friday 09:00 HST (19:00 UTC), the Auckland learner on Friday 09:00 NZDT.
    checkpoint = utc(2026, 1, 11, 20)
    assert nudge_time(checkpoint, HONOLULU) == utc(2026, 1, 9, 19)
    assert nudge_time(checkpoint, "Pacific/Auckland") == utc(2026, 1, 8, 20)
    assert nudge_time(checkpoint, "Unknown/Zone") == utc(2026, 1, 9, 9)  # as UTC: Fri 09:00


def test_one_hour_before_when_the_day_before_is_not_before() -> None:
    # Samoa skipped Friday 30 Dec 2011 (from -10 straight to +14). A checkpoint at Sat 31 Dec
    # 00:30 (+14) = 30 Dec 10:30 UTC; "Friday 30 Dec 09:00" resolves to 19:00 UTC, which is
    # after the checkpoint, so the nudge is an hour before it instead.
    checkpoint = datetime(2011, 12, 31, 0, 30, tzinfo=ZoneInfo("Pacific/Apia"))
    assert nudge_time(checkpoint, "Pacific/Apia") == utc(2011, 12, 30, 9, 30)


def test_nudge_time_rejects_naive_times_and_bad_hours() -> None:
    with pytest.raises(ValueError, match="aware"):
        nudge_time(datetime(2026, 1, 12, 14), LONDON)
    with pytest.raises(ValueError, match="hour"):
        nudge_time(utc(2026, 1, 12, 14), LONDON, hour=24)
