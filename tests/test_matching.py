"""Proposing mentors and coaches: the hard rules and the ranking in `bot.matching`."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching import (
    Candidate,
    Seeker,
    Volunteer,
    ineligibility,
    manager_chain,
    rank,
    working_overlap_hours,
)
from storage.models import Kind

ON = date(2026, 3, 10)
LONDON, NEW_YORK, SYDNEY = "Europe/London", "America/New_York", "Australia/Sydney"
UNRELATED = "watercolour painting and pottery"

SEEKER_ID, MANAGER_ID, GRAND_MANAGER_ID = "U_SEEKER", "U_MANAGER", "U_GRAND"
MANAGERS: dict[str, str | None] = {
    SEEKER_ID: MANAGER_ID,
    MANAGER_ID: GRAND_MANAGER_ID,
    GRAND_MANAGER_ID: None,
}


def volunteer(person_id: int, **changes: object) -> Volunteer:
    base = Volunteer(
        person_id=person_id,
        slack_user_id=f"U{person_id}",
        display_name=f"Volunteer {person_id}",
        as_mentor=True,
        as_coach=True,
        topics="public speaking",
        style="guide",
        formats=frozenset({"one_to_one"}),
        capacity=3,
        active_count=0,
        recent_matches=0,
        tz=LONDON,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def seeker(kind: Kind = Kind.MENTOR, **changes: object) -> Seeker:
    base = Seeker(
        person_id=1,
        slack_user_id=SEEKER_ID,
        kind=kind,
        need="I would like to get better at public speaking",
        format="one_to_one",
        tz=LONDON,
        authority_chain=manager_chain(SEEKER_ID, MANAGERS),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def ids(candidates: list[Candidate]) -> list[int]:
    return [candidate.volunteer.person_id for candidate in candidates]


# --- the authority rule ------------------------------------------------------------------------


def test_a_mentor_is_never_the_manager_nor_anyone_above_even_as_best_fit() -> None:
    manager = volunteer(2, slack_user_id=MANAGER_ID, topics="public speaking, presenting")
    grand = volunteer(3, slack_user_id=GRAND_MANAGER_ID, topics="public speaking, presenting")
    other = volunteer(4, topics="storytelling")
    ask = seeker(Kind.MENTOR)
    assert ask.authority_chain == {MANAGER_ID, GRAND_MANAGER_ID}

    assert ids(rank(ask, [manager, grand, other], on=ON, limit=10)) == [4]
    assert ineligibility(ask, manager) == "is in your line of authority"
    assert ineligibility(ask, grand) == "is in your line of authority"


def test_a_coach_may_be_the_manager_or_above() -> None:
    manager = volunteer(2, slack_user_id=MANAGER_ID, topics="public speaking, presenting")
    grand = volunteer(3, slack_user_id=GRAND_MANAGER_ID, topics="negotiation")
    other = volunteer(4, topics="storytelling")
    ask = seeker(Kind.COACH)
    assert ineligibility(ask, manager) is None
    assert ids(rank(ask, [other, grand, manager], on=ON, limit=10))[0] == 2
    assert set(ids(rank(ask, [other, grand, manager], on=ON, limit=10))) == {2, 3, 4}


def test_the_manager_named_in_the_request_overrides_the_directory() -> None:
    named = "U_NAMED"
    chain = manager_chain(SEEKER_ID, {**MANAGERS, named: "U_NAMED_BOSS"}, first_manager=named)
    assert chain == {named, "U_NAMED_BOSS"}
    ask = seeker(Kind.MENTOR, authority_chain=chain)
    assert ineligibility(ask, volunteer(2, slack_user_id=named)) == "is in your line of authority"
    assert ineligibility(ask, volunteer(3, slack_user_id=MANAGER_ID)) is None


def test_manager_chain_survives_cycles_and_deep_data() -> None:
    # A -> B -> C -> B: B and C, once each.
    assert manager_chain("A", {"A": "B", "B": "C", "C": "B"}) == {"B", "C"}
    # A -> B -> A: a loop back through the person never puts them in their own chain.
    assert manager_chain("A", {"A": "B", "B": "A"}) == {"B"}
    # Someone who is their own manager has no chain; nobody listed, no chain.
    assert manager_chain("A", {"A": "A"}) == frozenset()
    assert manager_chain("A", {}) == frozenset()
    assert manager_chain("A", {"A": ""}) == frozenset()
    # A hundred levels: bounded at 50.
    deep = {f"P{i}": f"P{i + 1}" for i in range(100)}
    assert manager_chain("P0", deep) == {f"P{i}" for i in range(1, 51)}


# --- the other hard rules ----------------------------------------------------------------------


def test_capacity_rule_full_volunteers_are_never_proposed() -> None:
    full = volunteer(2, topics="public speaking", capacity=2, active_count=2)
    over = volunteer(3, topics="public speaking", capacity=1, active_count=4)
    none = volunteer(4, topics="public speaking", capacity=0)
    free = volunteer(5, topics=UNRELATED)
    assert ids(rank(seeker(), [full, over, none, free], on=ON, limit=10)) == [5]
    assert ineligibility(seeker(), full) == "has no free place"
    assert rank(seeker(), [full, over, none], on=ON) == []


def test_capacity_rule_more_free_capacity_wins_a_tie() -> None:
    fuller = volunteer(2, capacity=3, active_count=2)
    emptier = volunteer(3, capacity=3, active_count=1)
    assert ids(rank(seeker(), [fuller, emptier], on=ON)) == [3, 2]


def test_with_equal_scores_more_free_places_then_person_id_decide() -> None:
    # Same fit, same share of places free (1/2 = 2/4), same fairness (1 + 1 = 2 + 0): equal
    # scores, so the tie-breaks decide: more free places first, then the lower person_id.
    small = volunteer(2, capacity=2, active_count=1, recent_matches=1)
    large = volunteer(3, capacity=4, active_count=2, recent_matches=0)
    twin = volunteer(4, capacity=4, active_count=2, recent_matches=0)
    ranked = rank(seeker(), [small, twin, large], on=ON)
    assert ranked[0].score == ranked[1].score == ranked[2].score
    assert ids(ranked) == [3, 4, 2]


def test_never_proposes_the_requester_themself() -> None:
    me = volunteer(1, slack_user_id=SEEKER_ID, topics="public speaking")
    me_again = volunteer(99, slack_user_id=SEEKER_ID, topics="public speaking")
    other = volunteer(2, topics=UNRELATED)
    assert ids(rank(seeker(), [me, me_again, other], on=ON)) == [2]
    assert ineligibility(seeker(), me) == "is you"
    assert ineligibility(seeker(), me_again) == "is you"


def test_kind_filter() -> None:
    mentor_only = volunteer(2, as_coach=False)
    coach_only = volunteer(3, as_mentor=False)
    assert ids(rank(seeker(Kind.MENTOR), [mentor_only, coach_only], on=ON)) == [2]
    assert ids(rank(seeker(Kind.COACH), [mentor_only, coach_only], on=ON)) == [3]
    assert ineligibility(seeker(Kind.MENTOR), coach_only) == "does not offer mentoring"
    assert ineligibility(seeker(Kind.COACH), mentor_only) == "does not offer coaching"
    with pytest.raises(ValueError, match="unknown kind"):
        seeker(kind="therapist")  # type: ignore[arg-type]


def test_a_volunteer_is_never_proposed_to_someone_they_avoid() -> None:
    ask = seeker()
    avoiding = volunteer(2, avoids=frozenset({ask.person_id}))
    other = volunteer(3, avoids=frozenset({99}), topics=UNRELATED)
    assert ineligibility(ask, avoiding) == "is not available for this request"
    assert ineligibility(ask, other) is None
    assert ids(rank(ask, [avoiding, other], on=ON, limit=3)) == [3]


def test_excluded_ids_are_never_proposed() -> None:
    pool = [volunteer(2), volunteer(3), volunteer(4)]
    ask = seeker(excluded=frozenset({2, 4}))
    assert ids(rank(ask, pool, on=ON)) == [3]
    assert ineligibility(ask, pool[0]) == "already asked"


# --- ranking -----------------------------------------------------------------------------------


def test_topic_fit_dominates() -> None:
    expert = volunteer(2, topics="Public speaking, presentations", recent_matches=2, tz=NEW_YORK)
    idle = volunteer(3, topics="Kubernetes, cloud infrastructure", formats=frozenset({"group"}))
    assert ids(rank(seeker(), [idle, expert], on=ON)) == [2, 3]


def test_fairness_fewer_recent_matches_first() -> None:
    busy = volunteer(2, recent_matches=4)
    rested = volunteer(3, recent_matches=0)
    assert ids(rank(seeker(), [busy, rested], on=ON)) == [3, 2]


def test_offering_the_requested_format_helps() -> None:
    group_only = volunteer(2, formats=frozenset({"group"}))
    one_to_one = volunteer(3, formats=frozenset({"one_to_one", "group"}))
    assert ids(rank(seeker(), [group_only, one_to_one], on=ON)) == [3, 2]


def test_style_is_ignored() -> None:
    teacher = volunteer(2, style="teacher")
    guide = volunteer(3, style="guide")
    first, second = rank(seeker(), [teacher, guide], on=ON)
    assert first.score == second.score
    assert ids([first, second]) == [2, 3]


def test_limit_order_and_determinism() -> None:
    pool = [
        volunteer(i, topics=topics, recent_matches=i % 3, tz=tz)
        for i, (topics, tz) in enumerate(
            [
                ("public speaking", LONDON),
                ("presenting", NEW_YORK),
                ("storytelling, slide decks", SYDNEY),
                ("negotiation", LONDON),
                ("SQL", NEW_YORK),
                ("", LONDON),
            ]
            * 3,
            start=10,
        )
    ]
    ranked = rank(seeker(), pool, on=ON, limit=5)
    assert len(ranked) == 5
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    shuffled = pool[:]
    random.Random(7).shuffle(shuffled)
    assert rank(seeker(), shuffled, on=ON, limit=5) == ranked
    assert rank(seeker(), pool, on=ON, limit=0) == []
    assert rank(seeker(), [], on=ON) == []


def test_a_person_listed_twice_is_proposed_once() -> None:
    twice = [volunteer(2, topics="negotiation"), volunteer(2, topics="public speaking")]
    (only,) = rank(seeker(), twice, on=ON, limit=3)
    assert only.volunteer.topics == "public speaking"


# --- the explanation ---------------------------------------------------------------------------


def test_why_names_shared_terms_places_and_hours() -> None:
    ask = seeker(Kind.COACH, need="database design and data modelling", tz=LONDON)
    ann = volunteer(2, topics="SQL, data modelling", capacity=3, active_count=1, tz=NEW_YORK)
    (candidate,) = rank(ask, [ann], on=ON)
    assert candidate.shared_terms == ("SQL", "data modelling")
    assert candidate.overlap_hours == 4.0
    assert candidate.why == (
        "Knows about SQL and data modelling, has 2 of 3 places free and shares 4 working hours "
        "with you."
    )


def test_why_without_shared_terms_or_shared_hours() -> None:
    far = volunteer(2, topics=UNRELATED, capacity=1, tz=SYDNEY)
    (candidate,) = rank(seeker(), [far], on=ON)
    assert candidate.shared_terms == ()
    assert candidate.why == "Has 1 of 1 place free and has no working hours in common with you."


def test_why_never_repeats_the_need_and_stays_short() -> None:
    need = "public speaking and negotiation"
    echo = volunteer(2, topics="Public speaking and negotiation")
    (candidate,) = rank(seeker(need=need), [echo], on=ON)
    assert need not in candidate.why.casefold()
    assert candidate.why.startswith("Knows about Public speaking,")

    exact = volunteer(4, topics="public speaking, storytelling")
    (other,) = rank(seeker(need="Public  Speaking"), [exact], on=ON)
    assert other.shared_terms == ("public speaking", "storytelling")
    assert other.why.startswith("Knows about storytelling,")

    wordy = volunteer(
        3,
        topics=", ".join(
            ["public speaking at large international conferences and summits"] * 2
            + ["presenting quarterly results to the executive leadership board"] * 2
        ),
    )
    (long_candidate,) = rank(seeker(), [wordy], on=ON)
    assert len(long_candidate.why) < 200
    for bad in ("*", "_", "`", "<", ">", "\n"):
        assert bad not in long_candidate.why


# --- working hours across time zones -----------------------------------------------------------


def test_overlap_london_new_york_across_the_us_and_uk_dst_changes() -> None:
    # 2026-03-10: New York is already on EDT (UTC-4, since Sun 8 March), London still on GMT
    # (UTC+0, until Sun 29 March). London 09-17 = 09:00-17:00 UTC; New York 09-17 =
    # 13:00-21:00 UTC. Overlap 13:00-17:00 UTC = 4 hours.
    assert working_overlap_hours(LONDON, NEW_YORK, date(2026, 3, 10)) == 4.0
    # 2026-03-30: London on BST (UTC+1): 08:00-16:00 UTC; New York 13:00-21:00 UTC.
    # Overlap 13:00-16:00 UTC = 3 hours.
    assert working_overlap_hours(LONDON, NEW_YORK, date(2026, 3, 30)) == 3.0
    # 2026-01-15, both on winter time: London 09:00-17:00 UTC, New York EST (UTC-5)
    # 14:00-22:00 UTC. Overlap 14:00-17:00 UTC = 3 hours.
    assert working_overlap_hours(LONDON, NEW_YORK, date(2026, 1, 15)) == 3.0
    assert working_overlap_hours(NEW_YORK, LONDON, date(2026, 3, 10)) == 4.0


def test_overlap_with_sydney() -> None:
    # 2026-03-10, Sydney on AEDT (UTC+11, until Sun 5 April). Sydney's 10 March working day is
    # 9 March 22:00 - 10 March 06:00 UTC, its 11 March one 10 March 22:00 - 11 March 06:00 UTC;
    # London's is 10 March 09:00-17:00 UTC. No overlap.
    assert working_overlap_hours(LONDON, SYDNEY, date(2026, 3, 10)) == 0.0
    assert working_overlap_hours(SYDNEY, LONDON, date(2026, 3, 10)) == 0.0
    # Los Angeles on PDT (UTC-7): 10 March 16:00-24:00 UTC. Sydney's Wednesday 11 March starts
    # 10 March 22:00 UTC. Overlap 22:00-24:00 = 2 hours (LA afternoon = Sydney next morning).
    los_angeles = "America/Los_Angeles"
    assert working_overlap_hours(los_angeles, SYDNEY, date(2026, 3, 10)) == 2.0
    assert working_overlap_hours(SYDNEY, los_angeles, date(2026, 3, 11)) == 2.0
    # 2026-04-07: Sydney back on AEST (UTC+10): its 8 April starts 7 April 23:00 UTC, LA's
    # 7 April still ends 24:00 UTC. Overlap 1 hour.
    assert working_overlap_hours(los_angeles, SYDNEY, date(2026, 4, 7)) == 1.0


def test_overlap_half_hour_zones_same_zone_and_unknown_zones() -> None:
    # Kolkata is UTC+5:30 all year: 03:30-11:30 UTC against London's 09:00-17:00 UTC in
    # January: 09:00-11:30 = 2.5 hours.
    assert working_overlap_hours("Asia/Kolkata", LONDON, date(2026, 1, 15)) == 2.5
    assert working_overlap_hours(SYDNEY, SYDNEY, ON) == 8.0
    # Unknown names count as UTC: London in January is UTC, so a full day.
    assert working_overlap_hours("Mars/Olympus", LONDON, date(2026, 1, 15)) == 8.0
    assert working_overlap_hours("", "not a zone", ON) == 8.0
    assert working_overlap_hours(LONDON, NEW_YORK, ON, start_hour=8, end_hour=18) == 6.0
    with pytest.raises(ValueError, match="working hours"):
        working_overlap_hours(LONDON, LONDON, ON, start_hour=17, end_hour=9)


# --- property: whatever the pool, the hard rules hold ------------------------------------------

ZONES = [LONDON, NEW_YORK, SYDNEY, "Asia/Kolkata", "UTC", "Not/A_Zone"]
TOPICS = [
    "public speaking",
    "SQL, data modelling",
    "leadership, managing people",
    "machine learning",
    "negotiation",
    "",
    "product management",
]


def line_of_authority(person: str, managers: dict[str, str | None], first: str | None) -> set[str]:
    """The rule restated independently: everyone reached by following manager links upwards."""
    found: set[str] = set()
    current = first or managers.get(person)
    while current and current != person and current not in found:
        found.add(current)
        current = managers.get(current)
    return found


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Seeker, list[Volunteer], dict[str, str | None], int]:
    size = draw(st.integers(min_value=1, max_value=12))
    slack_ids = [f"U{i}" for i in range(size)]
    managers = {uid: draw(st.none() | st.sampled_from(slack_ids)) for uid in slack_ids}
    me = draw(st.integers(min_value=0, max_value=size - 1))
    first_manager = draw(st.none() | st.sampled_from(slack_ids))
    pool = [
        Volunteer(
            person_id=i,
            slack_user_id=slack_ids[i],
            display_name=f"V{i}",
            as_mentor=draw(st.booleans()),
            as_coach=draw(st.booleans()),
            topics=draw(st.sampled_from(TOPICS)),
            style=draw(st.sampled_from(["teacher", "guide"])),
            formats=frozenset(
                draw(st.sets(st.sampled_from(["one_to_one", "group", "observation"])))
            ),
            capacity=draw(st.integers(min_value=0, max_value=4)),
            active_count=draw(st.integers(min_value=0, max_value=5)),
            recent_matches=draw(st.integers(min_value=0, max_value=6)),
            tz=draw(st.sampled_from(ZONES)),
            avoids=frozenset(draw(st.sets(st.integers(min_value=0, max_value=size - 1)))),
        )
        for i in draw(st.lists(st.integers(min_value=0, max_value=size - 1), max_size=2 * size))
    ]
    ask = Seeker(
        person_id=me,
        slack_user_id=slack_ids[me],
        kind=draw(st.sampled_from(list(Kind))),
        need=draw(st.sampled_from([*TOPICS, "presenting to the board", "databse design"])),
        format=draw(st.sampled_from(["one_to_one", "group", "observation"])),
        tz=draw(st.sampled_from(ZONES)),
        authority_chain=manager_chain(slack_ids[me], managers, first_manager),
        excluded=frozenset(draw(st.sets(st.integers(min_value=0, max_value=size - 1)))),
    )
    assert ask.authority_chain == line_of_authority(slack_ids[me], managers, first_manager)
    return ask, pool, managers, draw(st.integers(min_value=1, max_value=5))


def allowed(ask: Seeker, person: Volunteer) -> bool:
    return (
        person.person_id != ask.person_id
        and person.slack_user_id != ask.slack_user_id
        and (person.as_mentor if ask.kind == Kind.MENTOR else person.as_coach)
        and person.capacity > person.active_count
        and person.person_id not in ask.excluded
        and ask.person_id not in person.avoids
        and not (ask.kind == Kind.MENTOR and person.slack_user_id in ask.authority_chain)
    )


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_rank_never_breaks_a_hard_rule(
    scenario: tuple[Seeker, list[Volunteer], dict[str, str | None], int], on: date
) -> None:
    ask, pool, _, limit = scenario
    ranked = rank(ask, pool, on=on, limit=limit)

    assert len(ranked) <= limit
    for candidate in ranked:
        assert allowed(ask, candidate.volunteer), candidate
        assert ineligibility(ask, candidate.volunteer) is None
        assert 0.0 <= candidate.score <= 1.0
        assert 0.0 <= candidate.fit <= 1.0
        assert 0.0 <= candidate.overlap_hours <= 8.0
        assert len(candidate.why) < 200
    scores = [candidate.score for candidate in ranked]
    assert scores == sorted(scores, reverse=True)
    assert len({candidate.volunteer.person_id for candidate in ranked}) == len(ranked)
    eligible = {person.person_id for person in pool if allowed(ask, person)}
    assert len(ranked) == min(limit, len(eligible))
