"""Risk: why a mentoring or coaching relationship is at risk (bot/risk.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.risk import (
    ANSWERS,
    REASON_CODES,
    STATUSES,
    TEXT_LIMIT,
    CheckpointFacts,
    Facts,
    Policy,
    Reason,
    assess,
    fingerprint,
)

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
MEMBERS = ("U1MENTOR", "U2LEARNER")
MENTOR, LEARNER = MEMBERS


def cp(days: float, status: str, **answers: str) -> CheckpointFacts:
    """A checkpoint due `days` from NOW (negative: in the past) with answers by user id."""
    return CheckpointFacts(NOW + timedelta(days=days), status, tuple(answers.items()))


def both(answer: str) -> dict[str, str]:
    return {MENTOR: answer, LEARNER: answer}


def facts(
    *checkpoints: CheckpointFacts,
    started: float = -90,
    last_response: float | None = -2,
    members: tuple[str, ...] = MEMBERS,
) -> Facts:
    return Facts(
        now=NOW,
        started_at=NOW + timedelta(days=started),
        checkpoints=checkpoints,
        last_response_at=None if last_response is None else NOW + timedelta(days=last_response),
        members=members,
    )


AHEAD = cp(7, "scheduled")
OK = both("on_track")

SCENARIOS = [
    pytest.param(facts(cp(-14, "done", **OK), cp(-7, "done", **OK), AHEAD), (), id="healthy"),
    pytest.param(facts(cp(-14, "done", **OK), cp(-7, "missed"), AHEAD), (), id="one-miss"),
    pytest.param(
        facts(cp(-21, "done", **OK), cp(-14, "missed"), cp(-7, "missed"), AHEAD),
        ("missed_in_a_row",),
        id="two-misses-in-a-row",
    ),
    pytest.param(
        facts(cp(-21, "missed"), cp(-14, "done", **OK), cp(-7, "missed"), AHEAD),
        (),
        id="miss-done-miss-not-in-a-row",
    ),
    pytest.param(
        facts(
            cp(-28, "done", **OK),
            cp(-21, "missed"),
            cp(-14, "cancelled"),
            cp(-7, "missed"),
            cp(-3, "cancelled"),
            AHEAD,
        ),
        ("missed_in_a_row",),
        id="cancelled-ignored",
    ),
    pytest.param(
        facts(cp(-14, "missed"), cp(-7, "missed"), cp(1, "scheduled"), cp(8, "done", **OK)),
        ("missed_in_a_row",),
        id="future-checkpoints-ignored",
    ),
    pytest.param(
        facts(cp(-14, "missed"), cp(-7, "missed"), cp(-1, "scheduled"), AHEAD),
        ("missed_in_a_row",),
        id="past-still-scheduled-ignored",
    ),
    pytest.param(
        facts(cp(-7, "missed"), AHEAD),
        (),
        id="a-single-miss-is-not-two",
    ),
    pytest.param(
        facts(cp(-7, "done", **OK), AHEAD, last_response=-21),
        ("silent",),
        id="silent-3-weeks",
    ),
    pytest.param(
        facts(cp(-7, "done", **OK), AHEAD, last_response=-20), (), id="quiet-only-20-days"
    ),
    pytest.param(facts(AHEAD, started=-10, last_response=None), (), id="never-responded-but-young"),
    pytest.param(
        facts(AHEAD, started=-21, last_response=None),
        ("silent",),
        id="never-responded-3-weeks",
    ),
    pytest.param(
        facts(AHEAD, started=-20, last_response=-25),
        (),
        id="silent-window-needs-the-relationship-that-old",
    ),
    pytest.param(
        facts(
            cp(-14, "done", **OK), cp(-7, "done", **{MENTOR: "on_track", LEARNER: "blocked"}), AHEAD
        ),
        ("blocked",),
        id="blocked-by-one-at-last",
    ),
    pytest.param(
        facts(cp(-14, "done", **{LEARNER: "blocked"}), cp(-7, "done", **OK), AHEAD),
        (),
        id="blocked-earlier-on-track-since",
    ),
    pytest.param(
        facts(cp(-14, "done", **{LEARNER: "blocked"}), cp(-7, "missed"), AHEAD),
        ("blocked",),
        id="blocked-at-last-assessed-despite-later-miss",
    ),
    pytest.param(
        facts(
            cp(-14, "done", **{LEARNER: "behind", MENTOR: "on_track"}),
            cp(-7, "done", **{LEARNER: "behind", MENTOR: "on_track"}),
            AHEAD,
        ),
        ("behind_in_a_row",),
        id="behind-twice-same-person",
    ),
    pytest.param(
        facts(cp(-14, "done", **{LEARNER: "behind"}), cp(-7, "done", **{MENTOR: "behind"}), AHEAD),
        (),
        id="behind-by-different-people",
    ),
    pytest.param(
        facts(cp(-14, "done", **{LEARNER: "behind"}), cp(-7, "done", **OK), AHEAD),
        (),
        id="behind-then-on-track",
    ),
    pytest.param(
        facts(
            cp(-14, "done", **{LEARNER: "blocked"}), cp(-7, "done", **{LEARNER: "behind"}), AHEAD
        ),
        ("behind_in_a_row",),
        id="blocked-then-behind-counts-as-behind",
    ),
    pytest.param(
        facts(
            cp(-21, "done", **{LEARNER: "behind"}),
            cp(-14, "missed"),
            cp(-7, "done", **{LEARNER: "behind"}),
            AHEAD,
        ),
        ("behind_in_a_row",),
        id="a-miss-between-behinds-is-skipped",
    ),
    pytest.param(
        facts(
            cp(-14, "done", **{LEARNER: "behind"}),
            cp(-1, "scheduled", **{LEARNER: "behind"}),
            AHEAD,
        ),
        ("behind_in_a_row",),
        id="answered-before-the-window-closed",
    ),
    pytest.param(
        facts(cp(-14, "done", **OK), cp(-7, "done", **OK)), ("nothing_ahead",), id="nothing-ahead"
    ),
    pytest.param(
        facts(cp(-7, "done", **OK), cp(7, "cancelled")),
        ("nothing_ahead",),
        id="only-a-cancelled-one-ahead",
    ),
    pytest.param(facts(started=-2, last_response=None), (), id="brand-new-no-checkpoints"),
    pytest.param(
        facts(
            cp(-56, "done", **{LEARNER: "behind"}),
            cp(-49, "done", **{LEARNER: "blocked", MENTOR: "on_track"}),
            cp(-42, "missed"),
            cp(-35, "missed"),
            cp(-28, "cancelled"),
            last_response=-49,
        ),
        REASON_CODES,
        id="all-reasons-in-fixed-order",
    ),
    pytest.param(
        facts(cp(-14, "missed"), cp(-7, "missed"), last_response=-30),
        ("missed_in_a_row", "silent", "nothing_ahead"),
        id="several-reasons-in-fixed-order",
    ),
]


@pytest.mark.parametrize(("given_facts", "expected"), SCENARIOS)
def test_assess(given_facts: Facts, expected: tuple[str, ...]) -> None:
    reasons = assess(given_facts)
    assert tuple(r.code for r in reasons) == expected
    for reason in reasons:
        assert "\n" not in reason.text
        assert "\r" not in reason.text
        assert 0 < len(reason.text) < TEXT_LIMIT


@pytest.mark.parametrize(("given_facts", "expected"), SCENARIOS)
def test_input_order_never_matters(given_facts: Facts, expected: tuple[str, ...]) -> None:
    shuffled = list(given_facts.checkpoints)
    random.Random(7).shuffle(shuffled)
    reordered = Facts(
        now=given_facts.now,
        started_at=given_facts.started_at,
        checkpoints=tuple(reversed(shuffled)),
        last_response_at=given_facts.last_response_at,
        members=given_facts.members,
    )
    assert assess(reordered) == assess(given_facts)


DEFAULT = Policy()


def texts(given_facts: Facts, policy: Policy = DEFAULT) -> dict[str, str]:
    return {r.code: r.text for r in assess(given_facts, policy)}


def test_texts_name_who_and_what() -> None:
    found = texts(
        facts(
            cp(-56, "done", **{LEARNER: "behind"}),
            cp(-49, "done", **{LEARNER: "blocked", MENTOR: "on_track"}),
            cp(-42, "missed"),
            cp(-35, "missed"),
            last_response=-49,
        )
    )
    assert found == {
        "missed_in_a_row": "The last 2 checkpoints in a row passed without anyone assessing them.",
        "silent": "Nobody in the relationship has responded for 7 weeks.",
        "blocked": "<@U2LEARNER> reported being blocked at the last checkpoint.",
        "behind_in_a_row": (
            "<@U2LEARNER> reported being behind or blocked at each of the last 2 checkpoints."
        ),
        "nothing_ahead": "No further checkpoints are scheduled.",
    }


def test_never_responded_text() -> None:
    found = texts(facts(AHEAD, started=-22, last_response=None))
    assert found == {"silent": "Nobody has responded since the relationship started 3 weeks ago."}


def test_blocked_is_one_reason_naming_everyone_in_member_order() -> None:
    found = texts(facts(cp(-7, "done", **{LEARNER: "blocked", MENTOR: "blocked"}), AHEAD))
    assert found == {
        "blocked": "<@U1MENTOR> and <@U2LEARNER> reported being blocked at the last checkpoint."
    }


def test_many_people_are_counted_not_all_named() -> None:
    group = tuple(f"U{n:02d}" for n in range(10))
    found = texts(facts(cp(-7, "done", **dict.fromkeys(group, "blocked")), AHEAD, members=group))
    assert found == {
        "blocked": "<@U00>, <@U01>, <@U02> and 7 others reported being blocked at the last "
        "checkpoint."
    }


def test_ids_not_shaped_like_slack_ids_are_never_written() -> None:
    odd = "U1> <!channel> my private note"
    found = texts(facts(cp(-7, "done", **{odd: "blocked"}), AHEAD, members=(odd,)))
    assert found == {"blocked": "Someone reported being blocked at the last checkpoint."}


def test_unknown_answer_values_are_never_echoed() -> None:
    note = "I'm thinking of quitting"
    assert (
        assess(facts(cp(-14, "done", **{LEARNER: note}), cp(-7, "done", **{LEARNER: note}), AHEAD))
        == ()
    )


def test_the_latest_answer_of_a_person_wins() -> None:
    checkpoint = CheckpointFacts(
        NOW - timedelta(days=7), "done", ((LEARNER, "blocked"), (LEARNER, "on_track"))
    )
    assert assess(facts(checkpoint, AHEAD)) == ()


def test_policy_changes_the_thresholds() -> None:
    strict = Policy(missed_in_a_row=1, silent_weeks=1, behind_in_a_row=1)
    found = texts(
        facts(cp(-14, "done", **{LEARNER: "behind"}), cp(-7, "missed"), AHEAD, last_response=-8),
        strict,
    )
    assert found == {
        "missed_in_a_row": "The last checkpoint passed without anyone assessing it.",
        "silent": "Nobody in the relationship has responded for 1 week.",
        "behind_in_a_row": "<@U2LEARNER> reported being behind or blocked at the last checkpoint.",
    }
    lenient = Policy(missed_in_a_row=3, silent_weeks=4, behind_in_a_row=3)
    assert (
        assess(
            facts(
                cp(-21, "done", **{LEARNER: "behind"}),
                cp(-14, "missed"),
                cp(-7, "missed"),
                AHEAD,
                last_response=-27,
            ),
            lenient,
        )
        == ()
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"missed_in_a_row": 0},
        {"silent_weeks": -1},
        {"behind_in_a_row": 0},
        {"silent_weeks": True},
    ],
    ids=["no-misses", "negative-weeks", "no-behinds", "bool"],
)
def test_policy_rejects_nonsense(fields: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Policy(**fields)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        CheckpointFacts(datetime(2025, 6, 1), "done")
    with pytest.raises(ValueError, match="aware"):
        Facts(NOW, datetime(2025, 1, 1), (), None, MEMBERS)


def reason(code: str) -> Reason:
    return Reason(code, f"{code} text")


def test_fingerprint_is_order_independent_and_tracks_the_set() -> None:
    a = fingerprint([reason("silent"), reason("blocked")])
    assert a == fingerprint([reason("blocked"), reason("silent")]) == "blocked,silent"
    assert fingerprint([reason("blocked"), reason("silent"), reason("blocked")]) == a
    assert fingerprint([reason("silent")]) != a
    assert fingerprint([reason("silent"), reason("blocked"), reason("nothing_ahead")]) != a
    assert fingerprint([]) == ""


def test_fingerprint_ignores_wording() -> None:
    assert fingerprint([Reason("silent", "one")]) == fingerprint([Reason("silent", "two")])


ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
MOMENTS = st.datetimes(timezones=ZONES)
PEOPLE = st.sampled_from([*MEMBERS, "U3OTHER"]) | st.text(max_size=30)
CHECKPOINTS = st.builds(
    CheckpointFacts,
    due_at=MOMENTS,
    status=st.sampled_from([*STATUSES, "unknown"]),
    answers=st.lists(
        st.tuples(PEOPLE, st.sampled_from(ANSWERS) | st.text(max_size=10)), max_size=6
    ).map(tuple),
)
FACTS = st.builds(
    Facts,
    now=MOMENTS,
    started_at=MOMENTS,
    checkpoints=st.lists(CHECKPOINTS, max_size=12).map(tuple),
    last_response_at=st.none() | MOMENTS,
    members=st.lists(PEOPLE, max_size=5).map(tuple),
)
POLICIES = st.builds(
    Policy,
    missed_in_a_row=st.integers(1, 5),
    silent_weeks=st.integers(1, 10**12),
    behind_in_a_row=st.integers(1, 5),
)


@settings(max_examples=400, deadline=None)
@given(FACTS, POLICIES)
def test_assess_never_raises_and_keeps_the_fixed_order(given_facts: Facts, policy: Policy) -> None:
    reasons = assess(given_facts, policy)
    codes = [r.code for r in reasons]
    assert len(set(codes)) == len(codes)
    assert codes == [c for c in REASON_CODES if c in codes]
    for r in reasons:
        assert "\n" not in r.text
        assert 0 < len(r.text) < TEXT_LIMIT
    assert fingerprint(reasons) == ",".join(sorted(codes))
    assert assess(given_facts, policy) == reasons
