"""Proposing mentors and coaches: the hard rules, then a ranking. Pure: no database, no Slack.

Hard rules (`ineligibility`), never traded against any score:

* never the requester themself;
* never a volunteer who does not offer the kind asked for (mentoring or coaching);
* never a volunteer with no free place;
* never a volunteer in `Seeker.excluded` (already asked or declined for this request, or a
  current partner);
* never a volunteer who listed the requester in `Volunteer.avoids` (people they asked not to be
  paired with; private to them, so the reason given is deliberately vague);
* for a MENTOR, never the requester's manager nor anyone above them: a mentor is never in the
  person's line of authority. A COACH may be the manager or anyone in the chain.

Everyone left is ranked by a weighted score (see the `WEIGHT_*` constants) whose dominant part is
how well the volunteer's topics fit the need (`bot.similarity`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.similarity import TopicIndex, shared_terms
from storage.models import Kind

__all__ = [
    "Candidate",
    "Seeker",
    "Volunteer",
    "ineligibility",
    "manager_chain",
    "rank",
    "working_overlap_hours",
]

# --- score weights (they sum to 1, so a score is in [0, 1]) ------------------------------------

WEIGHT_FIT = 0.60
"""Topic fit dominates: the point of a match is that this person knows about the need."""
WEIGHT_CAPACITY = 0.12
"""Share of places still free: someone with room left has time for one more person."""
WEIGHT_OVERLAP = 0.10
"""Shared working hours / 8: people who can meet in both their working days meet more often."""
WEIGHT_FAIRNESS = 0.12
"""Fewer recent matches and fewer current people: spread the work, not always the same person."""
WEIGHT_FORMAT = 0.06
"""Offers the format asked for (one to one, group, observation): nice, but people can adapt."""

WORKDAY_HOURS = 8.0
"""Overlap is measured against the default 9:00-17:00 working day."""
MAX_CHAIN_DEPTH = 50
"""Manager links followed at most; deeper (or broken, cyclic) data stops there."""
MAX_WHY_CHARS = 200

_KIND_NOUN = {Kind.MENTOR: "mentoring", Kind.COACH: "coaching"}
NOT_AVAILABLE = "is not available for this request"
"""Why a volunteer who avoids the requester is left out: vague on purpose, the list is private."""


# --- data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volunteer:
    person_id: int
    slack_user_id: str
    display_name: str
    as_mentor: bool
    as_coach: bool
    topics: str
    style: str  # "teacher" | "guide"
    formats: frozenset[str]
    capacity: int
    active_count: int  # people they have now
    recent_matches: int  # matches in the last 90 days, for fairness
    tz: str  # IANA zone
    avoids: frozenset[int] = frozenset()  # person_ids they must never be paired with

    @property
    def free_places(self) -> int:
        return max(0, self.capacity - max(0, self.active_count))


@dataclass(frozen=True)
class Seeker:
    person_id: int
    slack_user_id: str
    kind: str  # "mentor" | "coach" (storage.models.Kind values)
    need: str
    format: str  # one_to_one | group | observation
    tz: str
    authority_chain: frozenset[str]  # slack ids of the manager, the manager's manager, …
    excluded: frozenset[int] = frozenset()  # volunteer person_ids never to propose

    def __post_init__(self) -> None:
        if self.kind not in {kind.value for kind in Kind}:
            raise ValueError(
                f"unknown kind {self.kind!r}: expected one of {[k.value for k in Kind]}"
            )


@dataclass(frozen=True)
class Candidate:
    volunteer: Volunteer
    score: float  # 0..1
    fit: float  # topic similarity 0..1
    overlap_hours: float  # shared working hours on the reference date
    shared_terms: tuple[str, ...]
    why: str  # one friendly sentence: why this person fits (plain text; no markup)


# --- hard rules --------------------------------------------------------------------------------


def manager_chain(
    slack_user_id: str,
    managers: Mapping[str, str | None],
    first_manager: str | None = None,
) -> frozenset[str]:
    """Walk manager links upwards (cycle-safe, bounded depth 50). `first_manager` overrides the
    person's own entry (the manager they named in the request).

    The walk stops at a missing or empty link, at someone already seen (a cycle) and at the
    person themself (a cycle through them: nobody is in their own line of authority)."""
    chain: list[str] = []
    seen: set[str] = set()
    current = first_manager if first_manager else managers.get(slack_user_id)
    while current and current != slack_user_id and current not in seen:
        if len(chain) >= MAX_CHAIN_DEPTH:
            break
        chain.append(current)
        seen.add(current)
        current = managers.get(current)
    return frozenset(chain)


def ineligibility(seeker: Seeker, volunteer: Volunteer) -> str | None:
    """None when the volunteer may be proposed; otherwise a short reason ("is you", "does not
    offer coaching", "has no free place", "is in your line of authority", "already asked")."""
    kind = Kind(seeker.kind)
    if volunteer.person_id == seeker.person_id or (
        volunteer.slack_user_id and volunteer.slack_user_id == seeker.slack_user_id
    ):
        return "is you"
    offers = volunteer.as_mentor if kind is Kind.MENTOR else volunteer.as_coach
    if not offers:
        return f"does not offer {_KIND_NOUN[kind]}"
    if kind is Kind.MENTOR and volunteer.slack_user_id in seeker.authority_chain:
        return "is in your line of authority"
    if seeker.person_id in volunteer.avoids:
        return NOT_AVAILABLE
    if volunteer.person_id in seeker.excluded:
        return "already asked"
    if volunteer.free_places <= 0:
        return "has no free place"
    return None


# --- time zones --------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def _working_window(
    zone: ZoneInfo, day: date, start_hour: int, end_hour: int
) -> tuple[datetime, datetime]:
    """The working day `day` in `zone`, in UTC. Wall-clock arithmetic, so a DST change that day
    moves the instants, not the local hours."""
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    start = (midnight + timedelta(hours=start_hour)).astimezone(UTC)
    end = (midnight + timedelta(hours=end_hour)).astimezone(UTC)
    return start, end


def working_overlap_hours(
    tz_a: str, tz_b: str, on: date, start_hour: int = 9, end_hour: int = 17
) -> float:
    """Hours both people are inside their local working day on `on` (zoneinfo, DST-correct;
    unknown zone names count as UTC).

    The first person's working day on `on` is compared with the second person's working days
    that can touch it (their local `on` and the days either side), so people across the date
    line still meet: Los Angeles' Tuesday afternoon is Sydney's Wednesday morning."""
    if not 0 <= start_hour < end_hour <= 24:
        raise ValueError(
            f"working hours must satisfy 0 <= start < end <= 24: {start_hour}-{end_hour}"
        )
    start_a, end_a = _working_window(_zone(tz_a), on, start_hour, end_hour)
    zone_b = _zone(tz_b)
    seconds = 0.0
    for shift in (-1, 0, 1):
        start_b, end_b = _working_window(zone_b, on + timedelta(days=shift), start_hour, end_hour)
        seconds += max(0.0, (min(end_a, end_b) - max(start_a, start_b)).total_seconds())
    return round(seconds / 3600.0, 4)


# --- ranking -----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _index(topics: tuple[str, ...]) -> TopicIndex:
    """The pool changes rarely between requests: index it once (keyed by every topic text)."""
    return TopicIndex(topics)


def _fairness(volunteer: Volunteer) -> float:
    """1.0 for someone with nobody now and no recent match, halving with the first, and so on."""
    return 1.0 / (1.0 + max(0, volunteer.recent_matches) + max(0, volunteer.active_count))


def _score(fit: float, volunteer: Volunteer, overlap_hours: float, wanted_format: str) -> float:
    capacity_ratio = min(1.0, volunteer.free_places / volunteer.capacity)
    score = (
        WEIGHT_FIT * fit
        + WEIGHT_CAPACITY * capacity_ratio
        + WEIGHT_OVERLAP * min(1.0, overlap_hours / WORKDAY_HOURS)
        + WEIGHT_FAIRNESS * _fairness(volunteer)
        + WEIGHT_FORMAT * (1.0 if wanted_format in volunteer.formats else 0.0)
    )
    return min(1.0, max(0.0, score))


def rank(
    seeker: Seeker, volunteers: Sequence[Volunteer], *, on: date, limit: int = 3
) -> list[Candidate]:
    """Eligible volunteers, best first, at most `limit`.

    Ties are broken by topic fit, then free places, then fewer recent matches, then person_id,
    so the same input always gives the same answer. A person listed twice is proposed once."""
    if limit <= 0 or not volunteers:
        return []
    fits = _index(tuple(volunteer.topics for volunteer in volunteers)).scores(seeker.need)
    overlaps: dict[str, float] = {}
    best: dict[int, tuple[tuple[float, float, int, int, int], Volunteer, float, float]] = {}
    for volunteer, fit in zip(volunteers, fits, strict=True):
        if ineligibility(seeker, volunteer) is not None:
            continue
        if volunteer.tz not in overlaps:
            overlaps[volunteer.tz] = working_overlap_hours(seeker.tz, volunteer.tz, on)
        overlap = overlaps[volunteer.tz]
        score = _score(fit, volunteer, overlap, seeker.format)
        key = (
            -round(score, 9),
            -round(fit, 9),
            -volunteer.free_places,
            volunteer.recent_matches,
            volunteer.person_id,
        )
        kept = best.get(volunteer.person_id)
        if kept is None or key < kept[0]:
            best[volunteer.person_id] = (key, volunteer, score, fit)
    chosen = sorted(best.values(), key=lambda entry: entry[0])[:limit]
    candidates: list[Candidate] = []
    for _, volunteer, score, fit in chosen:
        overlap = overlaps[volunteer.tz]
        terms = shared_terms(seeker.need, volunteer.topics)
        candidates.append(
            Candidate(
                volunteer=volunteer,
                score=score,
                fit=fit,
                overlap_hours=overlap,
                shared_terms=terms,
                why=_why(seeker.need, volunteer, terms, overlap),
            )
        )
    return candidates


# --- explaining --------------------------------------------------------------------------------


def _hours(hours: float) -> str:
    whole = round(hours)
    if math.isclose(hours, whole, abs_tol=0.05):
        return f"{whole} working hour" + ("" if whole == 1 else "s")
    return f"{hours:.1f} working hours"


def _joined(terms: Sequence[str]) -> str:
    if len(terms) <= 1:
        return "".join(terms)
    return ", ".join(terms[:-1]) + " and " + terms[-1]


def _echoes(need: str, text: str) -> bool:
    """True when the need, as typed (two words or more), appears in `text`."""
    words = need.casefold().split()
    return len(words) >= 2 and " ".join(words) in " ".join(text.casefold().split())


def _why(need: str, volunteer: Volunteer, terms: Sequence[str], overlap_hours: float) -> str:
    """One plain sentence: what they know that meets the need, their room, the shared hours.
    Terms come from the volunteer's own topics; if they would spell out the need as typed, or
    make the sentence too long, fewer are named."""
    capacity = volunteer.capacity
    places = f"{volunteer.free_places} of {capacity} place" + ("" if capacity == 1 else "s")
    if overlap_hours >= 0.05:
        hours = f"shares {_hours(overlap_hours)} with you"
    else:
        hours = "has no working hours in common with you"
    named = [term for term in terms if not _echoes(need, term)]
    for count in range(len(named), -1, -1):
        if count:
            sentence = f"Knows about {_joined(named[:count])}, has {places} free and {hours}."
        else:
            sentence = f"Has {places} free and {hours}."
        if len(sentence) <= MAX_WHY_CHARS and not _echoes(need, sentence):
            return sentence
    return sentence
