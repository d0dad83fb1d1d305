"""The health score: one pure function, table-driven cases, properties, and where people see it
(coordinators in `/mentoring status`, each member on their App Home)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import health, risk
from bot.cli.program import DOT, KOFI, MARCUS
from bot.emulator.actor import wait_for
from handlers.sweeps import flag_at_risk
from storage import people
from storage.health import HealthRow
from storage.models import Checkpoint, PulseResponse, Reflection
from tests.support import seed_pair

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
START = NOW - timedelta(weeks=10)
A, B = "U0GUIDE01", "U0LEARN01"


def cp(days_ago: float, status: str, *answers: tuple[str, str]) -> risk.CheckpointFacts:
    return risk.CheckpointFacts(
        due_at=NOW - timedelta(days=days_ago), status=status, answers=tuple(answers)
    )


def facts(
    checkpoints=(),
    *,
    last=NOW - timedelta(days=2),
    started=START,
    reflections=(),
    ratings=(),
) -> health.Facts:
    return health.Facts(
        risk=risk.Facts(
            now=NOW,
            started_at=started,
            checkpoints=tuple(checkpoints),
            last_response_at=last,
            members=(A, B),
        ),
        reflections=tuple(reflections),
        ratings=tuple(ratings),
    )


AHEAD = cp(-7, "scheduled")
THRIVING = facts(
    [
        cp(28, "done", (B, "on_track")),
        cp(14, "done", (A, "on_track")),
        cp(3, "done", (B, "on_track")),
        AHEAD,
    ],
    reflections=[NOW - timedelta(days=d) for d in (5, 20, 40)],
    ratings=[5, 4],
)


@pytest.mark.parametrize(
    ("name", "given_facts", "expected", "band", "reason"),
    [
        ("thriving", THRIVING, 98, "good", "pulse 4.5/5 from 2 ratings"),
        (
            "brand new, nothing to go on",
            facts([AHEAD], started=NOW - timedelta(days=3), last=None),
            79,
            "good",
            "no checkpoint due yet",
        ),
        (
            "half the checkpoints missed",
            replace(
                THRIVING,
                risk=replace(
                    THRIVING.risk,
                    checkpoints=(
                        cp(28, "missed"),
                        cp(14, "done", (A, "on_track")),
                        cp(10, "missed"),
                        cp(3, "done", (B, "on_track")),
                        AHEAD,
                    ),
                ),
            ),
            73,  # 15 + 10 + 15 + 13 + 20
            "fair",
            "2 of 4 checkpoints kept (2 missed, the last on 20 Mar)",
        ),
        (
            "two misses in a row is at risk, capped below fair",
            facts([cp(28, "done", (B, "on_track")), cp(14, "missed"), cp(3, "missed"), AHEAD]),
            48,  # 10 + 7 + 0 + 11 + 20, under the ceiling already
            "poor",
            "1 of 3 checkpoints kept (2 missed, the last on 27 Mar)",
        ),
        (
            "silent for the at-risk limit",
            facts([cp(28, "done"), AHEAD], last=NOW - timedelta(weeks=3)),
            41,  # 30 + 0 + 0 + 11 + 0
            "poor",
            "last response 21 days ago (09 Mar)",
        ),
        (
            "nothing ahead is at risk",
            facts([cp(14, "done", (A, "on_track")), cp(3, "done", (B, "on_track"))]),
            49,  # 30 + 20 + 0 + 11 + 20 = 81, capped at the ceiling
            "poor",
            "no pulse rating yet",
        ),
        (
            "low pulse and no reflections",
            facts([cp(14, "done", (A, "on_track")), AHEAD], ratings=[1, 2]),
            72,  # 30 + 20 + 0 + 2 + 20
            "fair",
            "0 reflections in the last 8 weeks",
        ),
    ],
)
def test_score_table(name, given_facts, expected, band, reason):
    result = health.score(given_facts)
    assert result.score == expected, (name, result)
    assert result.band == band
    assert reason in [p.text for p in result.parts], result.parts


def test_top_reasons_are_the_biggest_losses_first():
    result = health.score(
        facts([cp(14, "missed"), cp(7, "done"), AHEAD], ratings=[1], last=NOW - timedelta(days=9))
    )
    # Lost: assessments 20, then checkpoints, reflections and pulse 15 each (ties in the
    # parts' fixed order), contact 3.
    assert result.top_reasons(3) == (
        "“how did it go?” answered at 0 of 2 checkpoints",
        "1 of 2 checkpoints kept (1 missed, the last on 16 Mar)",
        "0 reflections in the last 8 weeks",
    )
    assert health.score(THRIVING).top_reasons(1) == ("pulse 4.5/5 from 2 ratings",)


# -- properties ------------------------------------------------------------------------------

STATUSES = st.sampled_from(["scheduled", "done", "missed", "cancelled"])
ANSWER = st.tuples(st.sampled_from([A, B]), st.sampled_from(["on_track", "behind", "blocked"]))
CHECKPOINT = st.builds(
    lambda days, status, answers: risk.CheckpointFacts(
        due_at=NOW - timedelta(hours=days), status=status, answers=tuple(answers)
    ),
    st.integers(min_value=-24 * 60, max_value=24 * 200),
    STATUSES,
    st.lists(ANSWER, max_size=2),
)
FACTS = st.builds(
    lambda checkpoints, started_days, quiet_hours, reflections, ratings: health.Facts(
        risk=risk.Facts(
            now=NOW,
            started_at=NOW - timedelta(days=started_days),
            checkpoints=tuple(checkpoints),
            last_response_at=None if quiet_hours is None else NOW - timedelta(hours=quiet_hours),
            members=(A, B),
        ),
        reflections=tuple(NOW - timedelta(days=d) for d in reflections),
        ratings=tuple(ratings),
    ),
    st.lists(CHECKPOINT, max_size=8),
    st.integers(min_value=0, max_value=400),
    st.none() | st.integers(min_value=0, max_value=24 * 120),
    st.lists(st.integers(min_value=-3, max_value=120), max_size=6),
    st.lists(st.integers(min_value=-1, max_value=7), max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(FACTS)
def test_bounded_and_consistent_with_risk(given_facts):
    result = health.score(given_facts)
    assert 0 <= result.score <= 100
    assert all(0 <= p.points <= p.out_of for p in result.parts)
    assert sum(p.out_of for p in result.parts) == 100
    alarms = risk.assess(given_facts.risk)
    assert result.at_risk == alarms
    if alarms:
        assert result.score <= health.AT_RISK_CEILING and result.band == "poor"
    assert result.top_reasons(3)


@settings(max_examples=300, deadline=None)
@given(FACTS, st.data())
def test_keeping_a_missed_checkpoint_never_lowers_the_score(given_facts, data):
    missed = [i for i, c in enumerate(given_facts.risk.checkpoints) if c.status == "missed"]
    if not missed:
        return
    index = data.draw(st.sampled_from(missed))
    checkpoints = list(given_facts.risk.checkpoints)
    checkpoints[index] = replace(checkpoints[index], status="done")
    kept = replace(given_facts, risk=replace(given_facts.risk, checkpoints=tuple(checkpoints)))
    assert health.score(kept).score >= health.score(given_facts).score


@settings(max_examples=200, deadline=None)
@given(FACTS, st.integers(min_value=0, max_value=24 * 120))
def test_a_more_recent_response_never_lowers_the_score(given_facts, hours):
    sooner = replace(
        given_facts, risk=replace(given_facts.risk, last_response_at=NOW - timedelta(hours=hours))
    )
    # "Sooner" only when it is after the last response (or the start, with none yet).
    last = given_facts.risk.last_response_at or given_facts.risk.started_at
    if NOW - timedelta(hours=hours) < last:
        return
    assert health.score(sooner).score >= health.score(given_facts).score


@settings(max_examples=200, deadline=None)
@given(FACTS, st.randoms(use_true_random=False))
def test_order_never_matters(given_facts, shuffler):
    checkpoints = list(given_facts.risk.checkpoints)
    reflections = list(given_facts.reflections)
    ratings = list(given_facts.ratings)
    for items in (checkpoints, reflections, ratings):
        shuffler.shuffle(items)
    shuffled = health.Facts(
        risk=replace(given_facts.risk, checkpoints=tuple(checkpoints)),
        reflections=tuple(reflections),
        ratings=tuple(ratings),
    )
    assert health.score(shuffled) == health.score(given_facts)


@settings(max_examples=200, deadline=None)
@given(FACTS, st.integers(min_value=1, max_value=5))
def test_a_better_rating_never_lowers_the_score(given_facts, rating):
    worse = replace(given_facts, ratings=(*given_facts.ratings, rating))
    better = replace(given_facts, ratings=(*given_facts.ratings, min(rating + 1, 5)))
    assert health.score(better).score >= health.score(worse).score


def test_a_member_counts_only_what_they_may_see():
    row = HealthRow(
        relationship_id=1,
        started_at=START,
        last_response_at=NOW,
        members=[(1, A), (2, B)],
        checkpoints=[
            (7, NOW - timedelta(days=1), "done"),
            (8, NOW + timedelta(days=7), "scheduled"),
        ],
        answers=[(7, 2, "blocked")],
        reflections=[(1, NOW, False), (2, NOW, False), (2, NOW, True)],
        ratings=[(1, 5), (2, 1)],
    )
    everyone = health.facts_from(row, now=NOW)
    assert len(everyone.reflections) == 3 and sorted(everyone.ratings) == [1, 5]
    assert everyone.risk.checkpoints[0].answers == ((B, "blocked"),)
    guide = health.facts_from(row, now=NOW, viewer=1)
    assert len(guide.reflections) == 2  # their own, and the one shared with them
    assert guide.ratings == (5,)  # never the partner's rating
    assert guide.risk.checkpoints[0].answers == ()  # nor the partner's answer
    learner = health.facts_from(row, now=NOW, viewer=2)
    assert learner.risk.checkpoints[0].answers == ((B, "blocked"),)
    assert learner.ratings == (1,) and len(learner.reflections) == 2
    # So the learner's own "blocked" puts their score in the at-risk band; the guide's does not
    # move because of an answer they may not see.
    assert health.score(learner).at_risk and not health.score(guide).at_risk


# -- where people see it ---------------------------------------------------------------------


def test_coordinators_see_health_lowest_first_and_members_see_their_own(
    services, clock, driver, emulator
):
    """Two checkpoints missed: at risk. Kofi wrote a private reflection and rated the pulse 1:
    both count for the coordinators and on Kofi's Home, neither on Dot's."""
    clock.current = NOW
    struggling, made = seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/Chicago"),
        due=[NOW - timedelta(days=14), NOW - timedelta(days=7), NOW + timedelta(days=7)],
        at=START,
    )
    with services.database.transaction() as session:
        kofi = people.by_slack_id(session, team_id="T0EMULATOR", slack_user_id=KOFI)
        assert kofi is not None and kofi.id is not None
        for checkpoint_id in made[:2]:
            checkpoint = session.get(Checkpoint, checkpoint_id)
            checkpoint.status = "missed"
            session.add(checkpoint)
        session.add(
            Reflection(
                team_id="T0EMULATOR",
                relationship_id=struggling,
                author_id=kofi.id,
                learned="REFLECTION-MARKER-7719",
                created_at=NOW - timedelta(days=3),
            )
        )
        session.add(
            PulseResponse(
                team_id="T0EMULATOR",
                relationship_id=struggling,
                person_id=kofi.id,
                period="2026-P1",
                rating=1,
                suggestion="SUGGESTION-MARKER-1182",
                created_at=NOW - timedelta(days=3),
            )
        )
    flag_at_risk(services, now=NOW)
    shown = str(driver.command(MARCUS, "/mentoring", "status", channel_id="C0COORD").as_message())
    assert "*At risk* (lowest health first)" in shown
    assert "health 8/100: 0 of 2 checkpoints kept (2 missed, the last on 23 Mar)" in shown
    for marker in ("REFLECTION-MARKER-7719", "SUGGESTION-MARKER-1182"):
        assert marker not in shown
    for coaching in ("status coaching", f"status <@{KOFI}|kofi>", "status since 2026-01-01"):
        filtered = str(
            driver.command(MARCUS, "/mentoring", coaching, channel_id="C0COORD").as_message()
        )
        assert "health 8/100" in filtered, coaching
    mentoring = str(
        driver.command(MARCUS, "/mentoring", "status mentoring", channel_id="C0COORD").as_message()
    )
    assert "health" not in mentoring.split("At risk")[1]

    driver.event({"type": "app_home_opened", "user": DOT, "tab": "home"})
    driver.event({"type": "app_home_opened", "user": KOFI, "tab": "home"})
    dot_home = str(wait_for(lambda: emulator.home(DOT)))
    kofi_home = str(wait_for(lambda: emulator.home(KOFI)))
    assert "Health: *8/100*" in kofi_home
    assert "Health: *11/100*" in dot_home
    assert "0 of 2 checkpoints kept" in dot_home
    for marker in ("REFLECTION-MARKER-7719", "SUGGESTION-MARKER-1182"):
        assert marker not in dot_home
