"""Who may see what about a person: the one source of truth for the program's access rules.

Each data item a person leaves in the program has one rule per audience (their partner, their
manager, the program coordinators): always visible, never, or only if its author chose to share
it. Every place that shows data to someone other than its author is declared here as a `Place`
with the items it shows, and calls `place(...)` (refused at import if it would show an item its
audience may never see) or `may_see(...)` for the items that depend on the author's choice.
The privacy ledger people read at the confidentiality step and on App Home is generated from the
same rules, and tests/test_privacy_ledger.py checks it against what each role's commands return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    PARTNER = "partner"
    MANAGER = "manager"
    COORDINATORS = "coordinators"


class Access(StrEnum):
    VISIBLE = "visible"
    NEVER = "never"
    IF_SHARED = "if_shared"


GUIDE, LEARNER = "guide", "learner"
BOTH = frozenset({GUIDE, LEARNER})

V, N, S = Access.VISIBLE, Access.NEVER, Access.IF_SHARED
P, M, C = Audience.PARTNER, Audience.MANAGER, Audience.COORDINATORS


@dataclass(frozen=True)
class Item:
    key: str
    label: str  # how the ledger names it, speaking to its owner ("your reflections")
    rules: Mapping[Audience, Access]
    roles: frozenset[str] = BOTH  # whose ledger lists it
    shared_how: str = ""  # for an IF_SHARED rule: how the owner shares it
    by: Audience | None = None  # written by this audience, so not listed in its ledger line

    def access(self, audience: Audience) -> Access:
        return self.rules.get(audience, Access.NEVER)


ITEMS: tuple[Item, ...] = (
    Item(
        "relationship",
        "that the relationship exists, who is in it, when and why it ended",
        {P: V, M: N, C: V},
    ),
    Item(
        "request",
        "that you asked for help, and how long you waited",
        {P: V, M: N, C: V},
        roles=frozenset({LEARNER}),
    ),
    Item("checkpoints", "checkpoint dates and whether they were kept", {P: V, M: N, C: V}),
    Item(
        "progress",
        "how checkpoints went (on track, behind, blocked; unnamed in alerts)",
        {P: N, M: N, C: V},
    ),
    Item("pulse_rating", "your 1-5 pulse ratings", {P: N, M: N, C: V}),
    Item(
        "pulse_suggestion",
        "your pulse survey suggestions",
        {P: N, M: N, C: V},
    ),
    Item(
        "agreement",
        "the agreement's text and learning plan",
        {P: V, M: N, C: N},
    ),
    Item("confidential_note", "the agreement's confidential note", {P: V, M: N, C: N}),
    Item(
        "request_need",
        "your request in your own words",
        {P: V, M: N, C: N},
        roles=frozenset({LEARNER}),
    ),
    Item(
        "request_summary",
        "your request's one-line summary",
        {P: V, M: N, C: S},
        roles=frozenset({LEARNER}),
        shared_how="if you write one",
    ),
    Item(
        "reflections",
        "your reflections",
        {P: S, M: N, C: N},
        shared_how="each one you tick to share",
    ),
    Item(
        "reflection_rating",
        "your reflections' 1-5 usefulness",
        {P: N, M: N, C: S},
        shared_how="if you let it count in reports",
    ),
    Item(
        "reflection_count",
        "how many reflections you wrote lately (a count in the health score, never their words)",
        {P: N, M: N, C: V},
    ),
    Item("assessment_note", "your notes on checkpoints", {P: N, M: N, C: N}),
    Item("appreciation", "the words of your thank-yous", {P: V, M: N, C: N}),
    Item(
        "mentor_report",
        "your report for the organisation",
        {P: S, M: N, C: V},
        roles=frozenset({GUIDE}),
        shared_how='if you tick "share with my protégé"',
    ),
    Item(
        "report_about_you",
        "your mentor's or coach's report",
        {P: V, M: N, C: V},
        roles=frozenset({LEARNER}),
        by=P,
    ),
    Item(
        "nudges_ignored",
        "that my last few reminders to you went unanswered, if they did",
        {P: N, M: N, C: V},
    ),
    Item(
        "pool_exclusions",
        "who you asked not to be paired with",
        {P: N, M: N, C: N},
        roles=frozenset({GUIDE}),
    ),
)
BY_KEY: dict[str, Item] = {item.key: item for item in ITEMS}


@dataclass(frozen=True)
class Place:
    """Somewhere an audience sees data about someone else."""

    key: str
    audience: Audience
    name: str
    items: frozenset[str]


PLACES: tuple[Place, ...] = (
    Place("status", C, "/mentoring status", frozenset({"relationship", "request", "checkpoints",
                                                       "progress", "pulse_rating",
                                                       "reflection_count"})),
    Place("chart", C, "the health chart", frozenset({"relationship", "checkpoints"})),
    Place("report", C, "/mentoring report", frozenset({"relationship", "mentor_report",
                                                       "report_about_you"})),
    Place("export", C, "the CSV export", frozenset({"relationship", "checkpoints"})),
    Place("pulse", C, "/mentoring pulse", frozenset({"relationship", "pulse_rating",
                                                     "pulse_suggestion"})),
    Place("digest", C, "the digest", frozenset({"relationship", "request", "checkpoints"})),
    Place("queue", C, "the request queue", frozenset({"request", "request_summary"})),
    Place("cohort", C, "cohort proposals", frozenset({"request", "relationship"})),
    Place("invitation", P, "the invitation", frozenset({"request", "request_need",
                                                        "request_summary"})),
    Place("plan", P, "/mentoring plan", frozenset({"relationship", "agreement", "checkpoints"})),
    Place("agreement_summary", P, "your group conversation",
          frozenset({"agreement", "confidential_note"})),
    Place("home", P, "App Home", frozenset({"relationship", "agreement", "checkpoints",
                                            "reflections"})),
    Place("stage_alert", C, "the coordinator channel's stage alerts",
          frozenset({"relationship", "request", "request_summary"})),
    Place("shared_reflection", P, "a DM", frozenset({"reflections"})),
    Place("thanks", P, "a DM", frozenset({"appreciation"})),
    Place("report_for_learner", P, "a DM", frozenset({"mentor_report", "report_about_you"})),
    Place("nudges_ignored", C, "the coordinator channel", frozenset({"nudges_ignored"})),
    Place("closing_record", P, "the closing record",
          frozenset({"relationship", "agreement", "confidential_note", "checkpoints",
                     "reflections", "appreciation", "mentor_report", "report_about_you"})),
)  # fmt: skip
PLACE_BY_KEY: dict[str, Place] = {p.key: p for p in PLACES}


class Forbidden(AssertionError):
    """A place declares an item its audience may never see: a programming error."""


def _validate(places: Sequence[Place]) -> None:
    for spot in places:
        for key in spot.items:
            if BY_KEY[key].access(spot.audience) is Access.NEVER:
                raise Forbidden(f"{spot.key} would show {key!r} to {spot.audience.value}")


_validate(PLACES)


def place(key: str) -> Place:
    """The declaration of a place that shows data; every such place calls this first."""
    spot = PLACE_BY_KEY[key]
    _validate([spot])
    return spot


def may_see(audience: Audience, key: str, *, shared: bool = False) -> bool:
    """Whether `audience` may see item `key`, given whether its author shared it."""
    access = BY_KEY[key].access(audience)
    return access is Access.VISIBLE or (access is Access.IF_SHARED and shared)


# -- the ledger -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    audience: Audience
    sees: tuple[str, ...]
    if_shared: tuple[str, ...]  # "your reflections (each one you tick to share)"
    never: tuple[str, ...]
    agreed: tuple[str, ...] = ()  # the manager: what the agreement says they may hear from you


def ledger(role: str, *, manager_agreed: Sequence[str] = ()) -> tuple[LedgerLine, ...]:
    """What each other party can see about someone in `role` (guide or learner), item by item."""
    lines = []
    for audience in Audience:
        mine = [item for item in ITEMS if role in item.roles and item.by is not audience]
        lines.append(
            LedgerLine(
                audience=audience,
                sees=tuple(i.label for i in mine if i.access(audience) is Access.VISIBLE),
                if_shared=tuple(
                    f"{i.label} ({i.shared_how})"
                    for i in mine
                    if i.access(audience) is Access.IF_SHARED
                ),
                never=tuple(i.label for i in mine if i.access(audience) is Access.NEVER),
                agreed=tuple(manager_agreed) if audience is Audience.MANAGER else (),
            )
        )
    return tuple(lines)
