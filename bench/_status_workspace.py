"""The status bench's workspace: its team and coordinator, the mix it is made of (kinds,
shares closed and at risk, end reasons, topics, time zones), its sizes at a given scale and
the facts the bench learns from the data generated for it.
"""

from __future__ import annotations

from dataclasses import dataclass

TEAM = "T0BENCH"
COORDINATOR = "U0MARCUS01"  # marked as a coordinator in the emulator's seed company


KIND_WEIGHTS: dict[str, float] = {
    "mentoring": 55,
    "coaching": 35,
    "group_coaching": 7,
    "observation": 3,
}
CLOSED_SHARE = 0.15
AT_RISK_SHARE = 0.03  # of the active relationships
END_REASONS: dict[str, float] = {
    "goals_met": 55,
    "no_longer_needed": 25,
    "not_working": 14,
    "forgotten": 3,
    "": 3,
}
TOPICS = (
    "public speaking",
    "sql",
    "people management",
    "product discovery",
    "career progression",
    "giving feedback",
    "code review",
    "statistics",
    "time management",
    "negotiation",
)
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin", None)


@dataclass(frozen=True)
class Sizes:
    people: int
    volunteers: int  # people 1..volunteers hold an offer
    relationships: int
    checkpoints: int
    requests: int
    appreciations: int
    pulses: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        def n(full: int, least: int) -> int:
            return max(least, round(full * scale))

        return cls(
            people=n(12_000, 300),
            volunteers=n(2_000, 50),
            relationships=n(10_000, 200),
            checkpoints=n(200_000, 2_000),
            requests=n(1_500, 40),
            appreciations=n(20_000, 200),
            pulses=n(8_000, 100),
        )


@dataclass(frozen=True)
class Facts:
    """What the bench needs to know about the data it generated."""

    active: int
    busiest_guide: str  # slack user id of the guide with the most relationships
    busiest_guide_name: str
    busiest_guide_relationships: int
