"""Matching a whole intake at once: optimal pairings and coaching groups. Pure: no database, no
Slack.

`propose` pairs many open requests with many volunteers so that the TOTAL match score is as high
as it can be, under each volunteer's free places and the hard rules of
`bot.matching.ineligibility` (never the requester, never someone not offering the kind asked
for, never a mentor in the requester's line of authority, never an excluded volunteer, never a
volunteer who asked not to be paired with the requester, never over capacity). It is an exact
assignment, not a greedy one: taking the best volunteer for each request in turn can use up a
volunteer whom a later request needed more.

Scores are `bot.matching`'s (topic fit, free places, shared working hours, fairness, format),
computed for every request-volunteer pair at once with numpy; each equals the score
`bot.matching.rank` gives the same pair, bit for bit (the same arithmetic in the same order).
A pairing's score is the score of the pair as things stand before the intake: filling a
volunteer's second free place scores the same as filling the first. To stay bit-identical this
module reuses private pieces of `bot.similarity` (text profiles, `_combine`'s constants) and of
`bot.matching` (`_fairness`, `_why`), and `_eligible` restates `ineligibility` over arrays;
tests/test_cohort.py compares both with `rank` and `ineligibility` pair by pair.

`coaching_groups` fills coaching groups with learners whose needs are alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array

from bot import similarity
from bot.matching import (
    WEIGHT_CAPACITY,
    WEIGHT_FAIRNESS,
    WEIGHT_FIT,
    WEIGHT_FORMAT,
    WEIGHT_OVERLAP,
    WORKDAY_HOURS,
    Seeker,
    Volunteer,
    _fairness,
    _why,
    working_overlap_hours,
)
from bot.triage import Format
from storage.models import Kind

__all__ = [
    "GROUP_FORMAT",
    "GROUP_SIMILARITY_FLOOR",
    "MAX_GROUP_SIZE",
    "MIN_GROUP_SIZE",
    "Group",
    "Pairing",
    "Proposal",
    "coaching_groups",
    "propose",
    "score_matrix",
]

Matrix = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

GROUP_FORMAT = Format.GROUP.value
"""The format a coach offers when they are willing to lead a coaching group."""
MIN_GROUP_SIZE = 2
"""Learners a group needs at least (as `bot.groups.MIN_LEARNERS`): one learner is no group."""
MAX_GROUP_SIZE = 12
"""Learners a group holds at most (as `bot.groups.MAX_LEARNERS`)."""
GROUP_SIMILARITY_FLOOR = 0.15
"""A learner joins a group only if their need is at least this similar (`bot.similarity`, 0..1),
on average, to the needs already in it. Related needs ("public speaking", "presenting at
conferences") score about 0.2 to 0.8, unrelated ones 0: a group about public speaking does not
take in a database question just to be full."""


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pairing:
    seeker: Seeker
    volunteer: Volunteer
    score: float  # 0..1, as `bot.matching.rank` scores this pair
    why: str  # one friendly sentence, as `Candidate.why`


@dataclass(frozen=True)
class Proposal:
    pairings: tuple[Pairing, ...]  # in the order of the requests
    unmatched: tuple[Seeker, ...]  # in the order of the requests
    total_score: float  # the sum of the pairings' scores: the highest any assignment reaches


@dataclass(frozen=True)
class Group:
    coach: Volunteer
    learners: tuple[Seeker, ...]  # the seed first, then in the order they joined


# --- scoring -----------------------------------------------------------------------------------


def _profiles_matrix(
    profiles: Sequence[similarity._Profile],
    vectors: str,
    features: dict[str, int],
    *,
    by_row: bool,
) -> csr_array:
    """The `vectors` ("words" or "grams") of `profiles` as a sparse matrix over `features`,
    one row per profile (`by_row`) or one column per profile. Features unknown to `features`
    are dropped (they meet nothing on the other side)."""
    rows: list[int] = []
    cols: list[int] = []
    weights: list[float] = []
    for number, profile in enumerate(profiles):
        vector: dict[str, float] = getattr(profile, vectors)
        if not profile.words:
            continue  # no content: similarity is 0 whatever the trigrams say
        known = sorted((features[key], weight) for key, weight in vector.items() if key in features)
        for feature, weight in known:
            rows.append(number)
            cols.append(feature)
            weights.append(weight)
    shape = (len(profiles), len(features))
    matrix = csr_array(
        (
            np.array(weights, dtype=np.float64),
            (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)),
        ),
        shape=shape,
    )
    return matrix if by_row else csr_array(matrix.T)


def _dots(
    queries: Sequence[similarity._Profile], texts: Sequence[similarity._Profile], vectors: str
) -> Matrix:
    """Every query-text dot product of the `vectors`, summed in sorted key order as
    `bot.similarity` sums them (a CSR product adds a row's terms in the row's column order,
    and feature numbers follow the sorted keys), so the sums are bit-identical."""
    keys: set[str] = set()
    for profile in texts:
        keys.update(getattr(profile, vectors))
    features = {key: number for number, key in enumerate(sorted(keys))}
    left = _profiles_matrix(queries, vectors, features, by_row=True)
    left.sort_indices()
    right = _profiles_matrix(texts, vectors, features, by_row=False)
    return np.asarray((left @ right).toarray(), dtype=np.float64)


def _round(values: Matrix, decimals: int) -> Matrix:
    """`round(value, decimals)` for every value, as Python rounds (correctly, half to even on
    the exact binary value). numpy's scale-and-rint agrees except within float noise of a
    half-way point; those few values are rounded by Python."""
    scale = 10.0**decimals
    scaled = values * scale
    rounded = np.rint(scaled) / scale
    fraction = scaled - np.floor(scaled)
    doubtful = np.abs(fraction - 0.5) < 1e-6
    for index in zip(*np.nonzero(doubtful), strict=True):
        rounded[index] = round(float(values[index]), decimals)
    return rounded


def _fit_matrix(
    queries: Sequence[similarity._Profile], texts: Sequence[similarity._Profile]
) -> Matrix:
    """`similarity(query, text)` for every pair, vectorised: `bot.similarity._combine` over
    matrices. Same numbers as `TopicIndex(texts).scores(query)`, a thousand times faster on a
    whole intake (the per-pair Python arithmetic is what costs)."""
    if not queries or not texts:
        return np.zeros((len(queries), len(texts)))
    words = _dots(queries, texts, "words")
    grams = _dots(queries, texts, "grams")
    typo = similarity.TRIGRAM_WEIGHT * np.maximum(
        0.0,
        (np.minimum(1.0, grams) - similarity.TRIGRAM_FLOOR) / (1.0 - similarity.TRIGRAM_FLOOR),
    )
    stronger = np.maximum(words, typo)
    weaker = np.minimum(words, typo)
    combined = stronger + (1.0 - stronger) * similarity.WEAKER_SHARE * weaker
    fits = np.minimum(1.0, np.maximum(0.0, _round(combined, similarity._DECIMALS)))
    has_words = np.array([bool(p.words) for p in queries])[:, None] & np.array(
        [bool(p.words) for p in texts]
    )
    return np.where(has_words, fits, 0.0)


def _codes(values: Sequence[str]) -> tuple[npt.NDArray[np.int64], list[str]]:
    distinct = sorted(set(values))
    number = {value: i for i, value in enumerate(distinct)}
    return np.array([number[value] for value in values], dtype=np.int64), distinct


def _eligible(seekers: Sequence[Seeker], volunteers: Sequence[Volunteer]) -> Mask:
    """`ineligibility(seeker, volunteer) is None` for every pair, vectorised."""
    n, m = len(seekers), len(volunteers)
    seeker_ids = np.array([s.person_id for s in seekers], dtype=np.int64)
    volunteer_ids = np.array([v.person_id for v in volunteers], dtype=np.int64)
    is_you: Mask = seeker_ids[:, None] == volunteer_ids[None, :]
    columns_of_slack: dict[str, list[int]] = {}
    columns_of_person: dict[int, list[int]] = {}
    for j, volunteer in enumerate(volunteers):
        columns_of_person.setdefault(volunteer.person_id, []).append(j)
        if volunteer.slack_user_id:
            columns_of_slack.setdefault(volunteer.slack_user_id, []).append(j)
    blocked = np.zeros((n, m), dtype=bool)
    for i, seeker in enumerate(seekers):
        columns = list(columns_of_slack.get(seeker.slack_user_id, ()))
        if seeker.kind == Kind.MENTOR.value:
            for manager in seeker.authority_chain:
                columns += columns_of_slack.get(manager, ())
        for person_id in seeker.excluded:
            columns += columns_of_person.get(person_id, ())
        columns += [j for j, v in enumerate(volunteers) if seeker.person_id in v.avoids]
        blocked[i, columns] = True
    wants_mentor = np.array([s.kind == Kind.MENTOR.value for s in seekers], dtype=bool)
    as_mentor = np.array([v.as_mentor for v in volunteers], dtype=bool)
    as_coach = np.array([v.as_coach for v in volunteers], dtype=bool)
    offers: Mask = np.where(wants_mentor[:, None], as_mentor[None, :], as_coach[None, :])
    has_room = np.array([v.free_places > 0 for v in volunteers], dtype=bool)
    eligible: Mask = offers & has_room[None, :] & ~is_you & ~blocked
    return eligible


def _score_matrix(
    seekers: Sequence[Seeker], volunteers: Sequence[Volunteer], fits: Matrix, on: date
) -> Matrix:
    """`bot.matching._score` for every pair, NaN where the pair is ineligible."""
    n, m = len(seekers), len(volunteers)
    if n == 0 or m == 0:
        return np.full((n, m), np.nan)
    capacity = np.array(
        [min(1.0, v.free_places / v.capacity) if v.free_places > 0 else 0.0 for v in volunteers]
    )
    fairness = np.array([_fairness(v) for v in volunteers])
    seeker_zones, zones_a = _codes([s.tz for s in seekers])
    volunteer_zones, zones_b = _codes([v.tz for v in volunteers])
    hours = np.array([[working_overlap_hours(a, b, on) for b in zones_b] for a in zones_a])
    overlap = np.minimum(
        1.0, hours[seeker_zones[:, None], volunteer_zones[None, :]] / WORKDAY_HOURS
    )
    formats, wanted = _codes([s.format for s in seekers])
    offered = np.array([[f in v.formats for v in volunteers] for f in wanted], dtype=np.float64)
    fmt = offered[formats]
    # Added in bot.matching._score's order, so every sum is the same float.
    scores = (
        WEIGHT_FIT * fits
        + WEIGHT_CAPACITY * capacity[None, :]
        + WEIGHT_OVERLAP * overlap
        + WEIGHT_FAIRNESS * fairness[None, :]
        + WEIGHT_FORMAT * fmt
    )
    scores = np.minimum(1.0, np.maximum(0.0, scores))
    return np.where(_eligible(seekers, volunteers), scores, np.nan)


def score_matrix(seekers: Sequence[Seeker], volunteers: Sequence[Volunteer], *, on: date) -> Matrix:
    """The match score of every request (row) with every volunteer (column), as
    `bot.matching.rank` scores the pair on `on`; NaN where `ineligibility` rules the pair out.
    Columns follow `volunteers` as given, duplicates included."""
    queries = [similarity._profile(s.need) for s in seekers]  # needs are never cached
    texts = [similarity._topic_profile(v.topics) for v in volunteers]
    return _score_matrix(seekers, volunteers, _fit_matrix(queries, texts), on)


# --- the optimal assignment --------------------------------------------------------------------


def _distinct(volunteers: Sequence[Volunteer]) -> list[Volunteer]:
    """A person listed twice is one volunteer (their first listing), with one set of places."""
    seen: set[int] = set()
    distinct: list[Volunteer] = []
    for volunteer in volunteers:
        if volunteer.person_id not in seen:
            seen.add(volunteer.person_id)
            distinct.append(volunteer)
    return distinct


def _assign(scores: Matrix, places: Sequence[int]) -> list[tuple[int, int]]:
    """A maximum-total assignment of rows to columns, column j taking at most places[j] rows;
    NaN pairs never. Returns (row, column) pairs.

    Each column is expanded into one slot per usable place (no more than the rows it may take)
    and `linear_sum_assignment` solves the rectangular problem with cost -score. Ruled-out pairs
    cost 0 and are dropped afterwards: a row "assigned" to one is unmatched. Because every
    eligible score is positive, this is exactly the best partial assignment (a prohibitive cost
    would instead put matching more rows ahead of the total score)."""
    eligible = ~np.isnan(scores)
    rows = np.flatnonzero(eligible.any(axis=1))
    if rows.size == 0:
        return []
    usable = np.minimum(np.asarray(places, dtype=np.int64), eligible[rows].sum(axis=0))
    slot_column = np.repeat(np.arange(scores.shape[1]), usable)
    if slot_column.size == 0:
        return []
    cost = np.where(eligible, -scores, 0.0)[np.ix_(rows, slot_column)]
    chosen_rows, chosen_slots = linear_sum_assignment(cost)
    pairs = [
        (int(rows[r]), int(slot_column[s]))
        for r, s in zip(chosen_rows, chosen_slots, strict=True)
        if eligible[rows[r], slot_column[s]]
    ]
    return sorted(pairs)


def _pairing(seeker: Seeker, volunteer: Volunteer, score: float, on: date) -> Pairing:
    overlap = working_overlap_hours(seeker.tz, volunteer.tz, on)
    terms = similarity.shared_terms(seeker.need, volunteer.topics)
    return Pairing(seeker, volunteer, score, _why(seeker.need, volunteer, terms, overlap))


def propose(seekers: Sequence[Seeker], volunteers: Sequence[Volunteer], *, on: date) -> Proposal:
    """The pairings of requests with volunteers whose total score is the highest possible,
    each volunteer taking at most their free places and no pair breaking a hard rule; requests
    no eligible volunteer can take are `unmatched`. Deterministic for a given input."""
    pool = _distinct(volunteers)
    scores = score_matrix(seekers, pool, on=on)
    pairs = _assign(scores, [volunteer.free_places for volunteer in pool])
    pairings = tuple(_pairing(seekers[i], pool[j], float(scores[i, j]), on) for i, j in pairs)
    matched = {i for i, _ in pairs}
    unmatched = tuple(seeker for i, seeker in enumerate(seekers) if i not in matched)
    return Proposal(
        pairings=pairings,
        unmatched=unmatched,
        total_score=math.fsum(pairing.score for pairing in pairings),
    )


# --- coaching groups ---------------------------------------------------------------------------


def _gather(
    seed: int, candidates: Mask, alike: Matrix, person: npt.NDArray[np.int64], size: int
) -> list[int]:
    """The seed and, one at a time, the candidate most similar on average to everyone gathered
    so far, while that average reaches `GROUP_SIMILARITY_FLOOR`, up to `size` learners."""
    members = [seed]
    open_ = candidates & (person != person[seed])
    together = alike[seed].copy()  # each learner's summed similarity to the members
    while len(members) < size and open_.any():
        average = np.where(open_, together / len(members), -np.inf)
        best = int(np.argmax(average))  # ties: the earlier request
        if average[best] < GROUP_SIMILARITY_FLOOR:
            break
        members.append(best)
        open_ &= person != person[best]
        together += alike[best]
    return members


def coaching_groups(
    seekers: Sequence[Seeker], coaches: Sequence[Volunteer], *, size: int, on: date
) -> tuple[tuple[Group, ...], tuple[Seeker, ...]]:
    """Coaching groups of `MIN_GROUP_SIZE` to `size` learners with similar needs, and the
    requests left over (in their order), for one-to-one matching with `propose`.

    The rules:

    * only coaching requests join (mentoring requests are all left over); a coach is a
      volunteer offering coaching and the "group" format; every learner passes `ineligibility`
      with their group's coach (so, as in one-to-one coaching, a coach may have their own
      report in the group);
    * a group takes ONE of its coach's free places (a group is one relationship, as
      `storage.offers.active_count` counts it), so a coach leads at most one group per free
      place;
    * groups grow around seeds, in the order of the requests: the earliest request not yet in a
      group is the seed; then, one at a time, the request whose need is the most similar on
      average to the needs already gathered joins (ties: the earlier request), while that
      average is at least `GROUP_SIMILARITY_FLOOR` and the group has fewer than `size`
      learners. Only requests eligible with the coach are gathered: the seed's free coaches
      are tried best first (scored as `propose` scores the seed's match), and the first that
      gathers `MIN_GROUP_SIZE` learners leads the group;
    * a seed that gathers nobody is not a group; it may still join a later seed's group, and is
      otherwise left over. A person is never twice in one group.
    """
    if not MIN_GROUP_SIZE <= size <= MAX_GROUP_SIZE:
        raise ValueError(f"a group holds {MIN_GROUP_SIZE} to {MAX_GROUP_SIZE} learners: {size}")
    pool = [
        coach
        for coach in _distinct(coaches)
        if coach.as_coach and GROUP_FORMAT in coach.formats and coach.free_places > 0
    ]
    wanting = [i for i, seeker in enumerate(seekers) if seeker.kind == Kind.COACH.value]
    learners = [seekers[i] for i in wanting]
    if not pool or len(learners) < MIN_GROUP_SIZE:
        return (), tuple(seekers)
    scores = score_matrix(learners, pool, on=on)
    eligible = ~np.isnan(scores)
    profiles = [similarity._profile(seeker.need) for seeker in learners]  # needs: never cached
    alike = _fit_matrix(profiles, profiles)
    places = np.array([coach.free_places for coach in pool], dtype=np.int64)
    person = np.array([seeker.person_id for seeker in learners], dtype=np.int64)
    placed = np.zeros(len(learners), dtype=bool)
    groups: list[Group] = []
    for seed in range(len(learners)):
        if placed[seed]:
            continue
        near = ~placed & (person != person[seed]) & (alike[seed] >= GROUP_SIMILARITY_FLOOR)
        if not near.any():
            continue  # nobody is close enough, whoever the coach
        free = np.flatnonzero(eligible[seed] & (places > 0))
        for coach in free[np.argsort(-scores[seed, free], kind="stable")]:
            members = _gather(seed, eligible[:, coach] & ~placed, alike, person, size)
            if len(members) >= MIN_GROUP_SIZE:
                placed[members] = True
                places[coach] -= 1
                groups.append(Group(pool[coach], tuple(learners[i] for i in members)))
                break
    grouped = {wanting[i] for i in np.flatnonzero(placed)}
    left = tuple(seeker for i, seeker in enumerate(seekers) if i not in grouped)
    return tuple(groups), left
