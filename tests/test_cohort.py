"""Matching a whole intake at once: `bot.cohort.propose` and `bot.cohort.coaching_groups`."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from bot import groups
from bot.cohort import (
    GROUP_SIMILARITY_FLOOR,
    MAX_GROUP_SIZE,
    MIN_GROUP_SIZE,
    Group,
    coaching_groups,
    propose,
    score_matrix,
)
from bot.matching import Seeker, Volunteer, ineligibility, manager_chain, rank
from bot.similarity import similarity
from storage.models import Kind

ON = date(2026, 3, 10)
LONDON, NEW_YORK, SYDNEY = "Europe/London", "America/New_York", "Australia/Sydney"
TOPICS = (
    "public speaking",
    "sql databases",
    "product strategy",
    "team leadership",
    "react frontend",
    "salary negotiation",
    "burnout and stress",
    "watercolour painting",
)
FORMATS = ("one_to_one", "group", "observation")

SPEAKING = (
    "I want to get better at public speaking",
    "Presenting at conferences and giving talks",
    "Nervous about public speaking and slides",
)
DATABASES = (
    "Writing SQL queries for our database",
    "Database schema design and SQL",
    "Postgres and relational data modelling",
)


def volunteer(person_id: int, **changes: object) -> Volunteer:
    base = Volunteer(
        person_id=person_id,
        slack_user_id=f"U{person_id}",
        display_name=f"Volunteer {person_id}",
        as_mentor=True,
        as_coach=True,
        topics="public speaking",
        style="guide",
        formats=frozenset({"one_to_one", "group"}),
        capacity=3,
        active_count=0,
        recent_matches=0,
        tz=LONDON,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def seeker(person_id: int, kind: Kind = Kind.MENTOR, **changes: object) -> Seeker:
    base = Seeker(
        person_id=person_id,
        slack_user_id=f"U{person_id}",
        kind=kind,
        need="I would like to get better at public speaking",
        format="one_to_one",
        tz=LONDON,
        authority_chain=frozenset(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def pairs(seekers: Sequence[Seeker], volunteers: Sequence[Volunteer]) -> set[tuple[int, int]]:
    proposal = propose(seekers, volunteers, on=ON)
    return {(p.seeker.person_id, p.volunteer.person_id) for p in proposal.pairings}


# --- random small intakes, solved by brute force -----------------------------------------------


def random_case(rng: random.Random) -> tuple[list[Seeker], list[Volunteer]]:
    """Up to 5 requests and 4 volunteers (1-2 places), drawn so that every hard rule bites:
    requesters who volunteer, managers who volunteer, exclusions, full volunteers."""
    volunteers = []
    for person_id in rng.sample(range(1, 9), rng.randint(1, 4)):
        capacity = rng.randint(1, 2)
        volunteers.append(
            volunteer(
                person_id,
                as_mentor=rng.random() < 0.8,
                as_coach=rng.random() < 0.6,
                topics=", ".join(rng.sample(TOPICS, rng.randint(1, 3))),
                formats=frozenset(rng.sample(FORMATS, rng.randint(1, 3))),
                capacity=capacity,
                active_count=rng.choice((0, 0, 0, 1, 2))
                if capacity == 2
                else rng.choice((0, 0, 1)),
                recent_matches=rng.randint(0, 3),
                tz=rng.choice((LONDON, NEW_YORK, SYDNEY)),
                avoids=frozenset(rng.sample(range(1, 12), rng.choice((0, 0, 1, 2)))),
            )
        )
    slack_ids = [f"U{i}" for i in range(1, 12)]
    seekers = []
    for person_id in rng.sample(range(1, 12), rng.randint(1, 5)):
        seekers.append(
            seeker(
                person_id,
                rng.choice((Kind.MENTOR, Kind.MENTOR, Kind.COACH)),
                need=" and ".join(rng.sample(TOPICS, rng.randint(1, 2))),
                format=rng.choice(FORMATS),
                tz=rng.choice((LONDON, NEW_YORK, SYDNEY)),
                authority_chain=frozenset(rng.sample(slack_ids, rng.randint(0, 3))),
                excluded=frozenset(rng.sample(range(1, 9), rng.choice((0, 0, 1)))),
            )
        )
    return seekers, volunteers


def scores_by_rank(
    seekers: Sequence[Seeker], volunteers: Sequence[Volunteer]
) -> list[dict[int, float]]:
    """For each request, the score `bot.matching.rank` gives each eligible volunteer (by index)."""
    position = {v.person_id: j for j, v in enumerate(volunteers)}
    return [
        {
            position[c.volunteer.person_id]: c.score
            for c in rank(s, volunteers, on=ON, limit=len(volunteers))
        }
        for s in seekers
    ]


def best_total(options: list[dict[int, float]], places: list[int]) -> float:
    """The highest total over every feasible assignment (each request: one eligible volunteer
    with a place left, or nobody), by enumeration."""
    best = 0.0

    def walk(i: int, total: float) -> None:
        nonlocal best
        if i == len(options):
            best = max(best, total)
            return
        walk(i + 1, total)
        for j, score in options[i].items():
            if places[j] > 0:
                places[j] -= 1
                walk(i + 1, total + score)
                places[j] += 1

    walk(0, 0.0)
    return best


def test_propose_is_optimal_and_obeys_the_hard_rules_on_random_small_intakes() -> None:
    rng = random.Random(20260310)
    matched_somewhere = beaten_greedy = 0
    for _ in range(300):
        seekers, volunteers = random_case(rng)
        options = scores_by_rank(seekers, volunteers)
        places = [v.free_places for v in volunteers]
        proposal = propose(seekers, volunteers, on=ON)

        assert proposal.total_score == pytest.approx(best_total(options, places), abs=1e-9)
        assert math.isclose(
            proposal.total_score, math.fsum(p.score for p in proposal.pairings), abs_tol=1e-12
        )
        taken = Counter(p.volunteer.person_id for p in proposal.pairings)
        for pairing in proposal.pairings:
            assert ineligibility(pairing.seeker, pairing.volunteer) is None
            j = volunteers.index(pairing.volunteer)
            assert pairing.score == options[seekers.index(pairing.seeker)][j]  # rank's score
        for v in volunteers:
            assert taken[v.person_id] <= v.free_places
        chosen = [p.seeker for p in proposal.pairings]
        assert len(chosen) == len({id(s) for s in chosen})
        assert sorted(map(seekers.index, [*chosen, *proposal.unmatched])) == list(
            range(len(seekers))
        )
        for left in proposal.unmatched:  # nobody it could have had still has a place
            for j in options[seekers.index(left)]:
                assert taken[volunteers[j].person_id] == volunteers[j].free_places
        matched_somewhere += bool(proposal.pairings)
        beaten_greedy += proposal.total_score > greedy_total(options, places) + 1e-9
    assert matched_somewhere > 200  # the cases are not trivially empty
    assert beaten_greedy > 0  # ... nor all solved by taking the best in turn


def greedy_total(options: list[dict[int, float]], places: list[int]) -> float:
    left = list(places)
    total = 0.0
    for scores in options:
        free = {j: s for j, s in scores.items() if left[j] > 0}
        if free:
            j = max(free, key=lambda k: (free[k], -k))
            left[j] -= 1
            total += free[j]
    return total


def test_score_matrix_is_ranks_score_bit_for_bit_and_nan_exactly_where_ineligible() -> None:
    rng = random.Random(7)
    checked = 0
    for _ in range(60):
        seekers, volunteers = random_case(rng)
        scores = score_matrix(seekers, volunteers, on=ON)
        assert scores.shape == (len(seekers), len(volunteers))
        for i, options in enumerate(scores_by_rank(seekers, volunteers)):
            for j, v in enumerate(volunteers):
                if ineligibility(seekers[i], v) is None:
                    assert scores[i, j] == options[j]
                    checked += 1
                else:
                    assert np.isnan(scores[i, j])
    assert checked > 100


def test_score_matrix_is_ranks_score_on_odd_texts() -> None:
    needs = [*SPEAKING, *DATABASES, "leadreship for a new manager", "", "the and of", "c++ and c#"]
    topics = [*TOPICS, "management, leading teams", "Résumé writing", "C++", "", "and the"]
    seekers = [seeker(100 + i, need=need) for i, need in enumerate(needs)]
    volunteers = [volunteer(i + 1, topics=text) for i, text in enumerate(topics)]
    scores = score_matrix(seekers, volunteers, on=ON)
    for i, options in enumerate(scores_by_rank(seekers, volunteers)):
        assert scores[i].tolist() == [options[j] for j in range(len(volunteers))]
    assert scores[0, 0] > scores[0, 1]
    assert scores[-1, 10] > scores[-1, 11]  # "c++" meets "C++", not the empty topics


def test_optimal_is_not_greedy_the_first_request_yields_the_shared_volunteer() -> None:
    first = seeker(1, need="public speaking and sql databases")
    second = seeker(2, need="public speaking")
    both = volunteer(10, topics="public speaking, sql databases", capacity=1)
    speaking_only = volunteer(11, topics="sql databases", capacity=1)
    assert rank(first, [both, speaking_only], on=ON)[0].volunteer == both  # greedy: first takes it
    assert pairs([first, second], [both, speaking_only]) == {(1, 11), (2, 10)}


def test_pairings_explain_themselves_as_rank_does() -> None:
    ask = seeker(1, need="Writing SQL queries", tz=NEW_YORK)
    pool = [volunteer(10, topics="SQL, database design", tz=SYDNEY), volunteer(11)]
    (pairing,) = propose([ask], pool, on=ON).pairings
    (best,) = rank(ask, pool, on=ON, limit=1)
    assert (pairing.volunteer, pairing.score, pairing.why) == (best.volunteer, best.score, best.why)
    assert pairing.why.startswith("Knows about SQL")


# --- hard rules --------------------------------------------------------------------------------


MANAGERS: dict[str, str | None] = {"U1": "U20", "U20": "U30", "U30": None, "U2": None}


def line_of_authority_case(kind: Kind) -> tuple[list[Seeker], list[Volunteer]]:
    """Request 1's manager (20) and grand-manager (30) are the best fits for everyone; the only
    other volunteer (40) knows nothing of the topic."""
    chain = manager_chain("U1", MANAGERS)
    first = seeker(1, kind, authority_chain=chain)
    second = seeker(2, kind, authority_chain=manager_chain("U2", MANAGERS))
    pool = [
        volunteer(20, topics="public speaking, presenting", capacity=1),
        volunteer(30, topics="public speaking, presenting", capacity=1),
        volunteer(40, topics="watercolour painting", capacity=1),
    ]
    return [first, second], pool


def test_a_mentor_request_is_never_paired_within_its_line_of_authority() -> None:
    seekers, pool = line_of_authority_case(Kind.MENTOR)
    assert seekers[0].authority_chain == {"U20", "U30"}
    # Without the rule, the best total puts request 1 with a manager.
    unruled = [replace(s, authority_chain=frozenset()) for s in seekers]
    assert pairs(unruled, pool) & {(1, 20), (1, 30)}
    chosen = pairs(seekers, pool)
    assert chosen == {(1, 40), (2, 20)} or chosen == {(1, 40), (2, 30)}


def test_a_coach_may_be_in_the_line_of_authority() -> None:
    seekers, pool = line_of_authority_case(Kind.COACH)
    chosen = pairs(seekers, pool)
    assert len(chosen) == 2
    assert {v for _, v in chosen} == {20, 30}


@pytest.mark.parametrize(
    ("ask", "offer", "reason"),
    [
        (seeker(10), volunteer(10), "is you"),
        (seeker(1, slack_user_id="USAME"), volunteer(2, slack_user_id="USAME"), "is you"),
        (seeker(1, Kind.COACH), volunteer(2, as_coach=False), "does not offer coaching"),
        (seeker(1), volunteer(2, as_mentor=False), "does not offer mentoring"),
        (seeker(1, excluded=frozenset({2})), volunteer(2), "already asked"),
        (seeker(1), volunteer(2, capacity=2, active_count=2), "has no free place"),
        (seeker(1, authority_chain=frozenset({"U2"})), volunteer(2), "is in your line"),
        (seeker(1), volunteer(2, avoids=frozenset({1})), "is not available"),
    ],
)
def test_unmatched_when_nobody_is_eligible(ask: Seeker, offer: Volunteer, reason: str) -> None:
    assert (ineligibility(ask, offer) or "").startswith(reason)
    proposal = propose([ask], [offer], on=ON)
    assert proposal.pairings == ()
    assert proposal.unmatched == (ask,)
    assert proposal.total_score == 0.0
    assert np.isnan(score_matrix([ask], [offer], on=ON)).all()


def test_empty_inputs() -> None:
    assert propose([], [], on=ON) == propose([], [volunteer(1)], on=ON)
    empty = propose([], [], on=ON)
    assert (empty.pairings, empty.unmatched, empty.total_score) == ((), (), 0.0)
    asks = [seeker(1), seeker(2)]
    nobody = propose(asks, [], on=ON)
    assert (nobody.pairings, nobody.unmatched, nobody.total_score) == ((), tuple(asks), 0.0)
    assert score_matrix([], [volunteer(1)], on=ON).shape == (0, 1)
    assert score_matrix(asks, [], on=ON).shape == (2, 0)


def test_places_are_respected_and_more_requests_than_places_leave_the_rest_unmatched() -> None:
    asks = [seeker(i) for i in range(1, 8)]
    pool = [volunteer(20, capacity=3, active_count=1), volunteer(21, capacity=1)]
    proposal = propose(asks, pool, on=ON)
    assert Counter(p.volunteer.person_id for p in proposal.pairings) == {20: 2, 21: 1}
    assert len(proposal.unmatched) == 4


def test_a_person_listed_twice_offers_their_places_once() -> None:
    again = volunteer(20, capacity=1)
    proposal = propose([seeker(1), seeker(2)], [again, again], on=ON)
    assert [p.volunteer.person_id for p in proposal.pairings] == [20]
    assert len(proposal.unmatched) == 1


def test_the_same_input_gives_the_same_proposal() -> None:
    rng = random.Random(3)
    seekers, volunteers = random_case(rng)
    assert propose(seekers, volunteers, on=ON) == propose(seekers, volunteers, on=ON)


# --- coaching groups ---------------------------------------------------------------------------


def coach(person_id: int, **changes: object) -> Volunteer:
    base = {"as_mentor": False, "topics": "public speaking, databases, sql", "capacity": 2}
    return volunteer(person_id, **{**base, **changes})


def check_groups(
    seekers: Sequence[Seeker],
    coaches: Sequence[Volunteer],
    size: int,
    found: tuple[tuple[Group, ...], tuple[Seeker, ...]],
) -> None:
    """Every learner in at most one group, the rest left over; groups of 2..size learners led
    by a coach offering coaching and groups, within the coach's free places and hard rules."""
    made, left = found
    placed = [id(s) for g in made for s in g.learners]
    assert len(placed) == len(set(placed))
    assert sorted([*placed, *map(id, left)]) == sorted(map(id, seekers))
    led = Counter(g.coach.person_id for g in made)
    for group in made:
        assert group.coach in coaches
        assert group.coach.as_coach and "group" in group.coach.formats
        assert led[group.coach.person_id] <= group.coach.free_places
        assert MIN_GROUP_SIZE <= len(group.learners) <= size
        assert len({s.person_id for s in group.learners}) == len(group.learners)
        for s in group.learners:
            assert s.kind == Kind.COACH
            assert ineligibility(s, group.coach) is None


def test_similar_needs_end_up_together() -> None:
    needs = [SPEAKING[0], DATABASES[0], SPEAKING[1], DATABASES[1], SPEAKING[2], DATABASES[2]]
    learners = [seeker(i + 1, Kind.COACH, need=need) for i, need in enumerate(needs)]
    asking_mentoring = seeker(50, need=SPEAKING[0])
    seekers = [*learners, asking_mentoring]
    coaches = [
        coach(20),
        coach(21, formats=frozenset({"one_to_one"})),  # no groups
        volunteer(22, as_coach=False),  # no coaching
    ]
    made, left = coaching_groups(seekers, coaches, size=3, on=ON)
    check_groups(seekers, coaches, 3, (made, left))
    assert [{s.need for s in g.learners} for g in made] == [set(SPEAKING), set(DATABASES)]
    assert {g.coach.person_id for g in made} == {20}
    assert left == (asking_mentoring,)


def test_a_group_never_exceeds_its_size_and_a_coach_leads_one_group_per_free_place() -> None:
    learners = [seeker(i, Kind.COACH, need=SPEAKING[i % 3]) for i in range(1, 8)]
    one_place = coach(20, capacity=3, active_count=2)
    made, left = coaching_groups(learners, [one_place], size=3, on=ON)
    assert [len(g.learners) for g in made] == [3]
    assert len(left) == 4
    made, left = coaching_groups(learners, [coach(20, capacity=5)], size=2, on=ON)
    assert [len(g.learners) for g in made] == [2, 2, 2]
    assert left == (learners[-1],)


def test_learners_only_join_a_coach_they_are_eligible_for() -> None:
    # 1's coach may be their manager; 2 declined coach 20 before; 3 is coach 21 themself.
    learners = [
        seeker(1, Kind.COACH, need=SPEAKING[0], authority_chain=frozenset({"U20"})),
        seeker(2, Kind.COACH, need=SPEAKING[1], excluded=frozenset({20})),
        seeker(21, Kind.COACH, need=SPEAKING[2]),
        seeker(4, Kind.COACH, need=SPEAKING[0]),
    ]
    coaches = [coach(20, capacity=1), coach(21, capacity=1)]
    made, left = coaching_groups(learners, coaches, size=4, on=ON)
    check_groups(learners, coaches, 4, (made, left))
    members = {g.coach.person_id: {s.person_id for s in g.learners} for g in made}
    assert members == {20: {1, 21, 4}}
    assert left == (learners[1],)


def test_a_seed_whose_best_coach_cannot_take_its_peers_tries_the_next_coach() -> None:
    learners = [
        seeker(1, Kind.COACH, need=DATABASES[0]),
        seeker(2, Kind.COACH, need=DATABASES[1], excluded=frozenset({20})),
    ]
    coaches = [coach(20, topics="sql databases"), coach(21, topics="watercolour painting")]
    made, _ = coaching_groups(learners, coaches, size=4, on=ON)
    assert [(g.coach.person_id, len(g.learners)) for g in made] == [(21, 2)]


def test_dissimilar_needs_are_not_grouped() -> None:
    learners = [
        seeker(1, Kind.COACH, need=SPEAKING[0]),
        seeker(2, Kind.COACH, need="watercolour painting"),
    ]
    assert similarity(learners[0].need, learners[1].need) < GROUP_SIMILARITY_FLOOR
    assert coaching_groups(learners, [coach(20)], size=4, on=ON) == ((), tuple(learners))


def test_the_group_size_limits_are_those_of_bot_groups() -> None:
    assert (MIN_GROUP_SIZE, MAX_GROUP_SIZE) == (groups.MIN_LEARNERS, groups.MAX_LEARNERS)
    for size in (MIN_GROUP_SIZE - 1, MAX_GROUP_SIZE + 1):
        with pytest.raises(ValueError, match="a group holds"):
            coaching_groups([], [], size=size, on=ON)
    assert coaching_groups([], [], size=4, on=ON) == ((), ())


def test_coaching_groups_invariants_on_random_intakes() -> None:
    rng = random.Random(11)
    grouped = 0
    for _ in range(150):
        size = rng.randint(MIN_GROUP_SIZE, 5)
        coaches = [
            coach(
                100 + k,
                as_coach=rng.random() < 0.8,
                formats=frozenset(rng.sample(FORMATS, rng.randint(1, 3))),
                capacity=rng.randint(1, 3),
                active_count=rng.randint(0, 1),
            )
            for k in range(rng.randint(0, 4))
        ]
        seekers = [
            seeker(
                rng.choice((rng.randint(1, 30), 100 + rng.randint(0, 3))),
                rng.choice((Kind.COACH, Kind.COACH, Kind.MENTOR)),
                need=rng.choice((*SPEAKING, *DATABASES, *TOPICS)),
                excluded=frozenset(rng.sample(range(100, 104), rng.randint(0, 2))),
            )
            for _ in range(rng.randint(0, 14))
        ]
        found = coaching_groups(seekers, coaches, size=size, on=ON)
        check_groups(seekers, coaches, size, found)
        grouped += len(found[0])
    assert grouped > 30
