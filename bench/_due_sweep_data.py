"""The due-sweep bench's data: the sizes at a given scale and the generated tables (people,
relationships, a million checkpoints and a million nudges), in foreign-key order.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench._bulk import Stamp, TableRows, _picker

CHECKPOINTS = 1_000_000
NUDGES = 1_000_000
RELATIONSHIPS = 20_000
PEOPLE = 30_000
TEAMS = ("T0BENCH01", "T0BENCH02", "T0BENCH03", "T0BENCH04", "T0BENCH05")
SPREAD = timedelta(days=730)  # checkpoints lie within now ± SPREAD
SEED = 20261125
DAY = 86_400


@dataclass(frozen=True)
class Sizes:
    people: int
    relationships: int
    checkpoints: int
    nudges: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        def n(full: int, least: int) -> int:
            return max(least, round(full * scale))

        return cls(
            people=n(PEOPLE, 50),
            relationships=n(RELATIONSHIPS, 20),
            checkpoints=n(CHECKPOINTS, 1000),
            nudges=n(NUDGES, 1000),
        )


def _dataset(sizes: Sizes, now: datetime, stamp: Stamp) -> Iterator[TableRows]:
    """The tables to load, in foreign-key order, as (table, columns, rows): deterministic for
    a given `now`. Times are drawn as whole seconds from now and written with `stamp`."""
    rng = random.Random(SEED)
    rand = rng.random
    spread = int(SPREAD.total_seconds())
    epoch = int(now.timestamp())

    def below(n: int) -> int:
        return int(rand() * n)

    team_of = [TEAMS[i % len(TEAMS)] for i in range(max(sizes.people, sizes.relationships) + 1)]
    per_team: list[list[int]] = [[] for _ in TEAMS]
    for person_id in range(1, sizes.people + 1):
        per_team[person_id % len(TEAMS)].append(person_id)

    # Per relationship: when it ended (seconds from now, or None) and its members.
    ended: list[int | None] = [None]
    members: list[tuple[int, ...]] = [()]
    for relationship_id in range(1, sizes.relationships + 1):
        ended.append(-below(spread) if rand() < 0.2 else None)
        team = per_team[relationship_id % len(TEAMS)]
        members.append(tuple(rng.sample(team, 3 if rand() < 0.07 else 2)))

    def people() -> Iterator[tuple[Any, ...]]:
        zones = ("Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin", None)
        joined = stamp(-1100 * DAY)
        for person_id in range(1, sizes.people + 1):
            yield (
                person_id,
                team_of[person_id],
                f"U{person_id:09d}",
                f"Person {person_id}",
                zones[below(len(zones))],
                rand() < 0.03,
                joined,
                stamp(-below(90 * DAY)),
            )

    def relationships() -> Iterator[tuple[Any, ...]]:
        kind = _picker(
            rand, {"mentoring": 55, "coaching": 35, "group_coaching": 7, "observation": 3}
        )
        started = stamp(-spread)
        for relationship_id in range(1, sizes.relationships + 1):
            end = ended[relationship_id]
            yield (
                relationship_id,
                team_of[relationship_id],
                kind(),
                "active" if end is None else "ended",
                "",
                "",
                started,
                None if end is None else stamp(end),
                None if end is None else "completed",
            )

    def relationship_members() -> Iterator[tuple[Any, ...]]:
        member_id = 0
        for relationship_id in range(1, sizes.relationships + 1):
            for position, person_id in enumerate(members[relationship_id]):
                member_id += 1
                role = "guide" if position == 0 else "learner"
                yield (member_id, team_of[relationship_id], relationship_id, person_id, role)

    # Kept for the nudges, which point at checkpoints.
    checkpoint_relationship = array("i", [0])
    checkpoint_due = array("q", [0])

    def checkpoints_() -> Iterator[tuple[Any, ...]]:
        closed = _picker(rand, {"done": 75, "missed": 18, "cancelled": 7})
        for checkpoint_id in range(1, sizes.checkpoints + 1):
            relationship_id = 1 + below(sizes.relationships)
            due = (below(2 * spread) - spread) // 900 * 900  # on the quarter hour
            checkpoint_relationship.append(relationship_id)
            checkpoint_due.append(due)
            end = ended[relationship_id]
            draw = rand()
            if end is not None and due > end:
                status = "cancelled"  # the relationship ended before it
            elif due >= 0:
                status = "scheduled" if draw < 0.96 else "cancelled"
            elif due > -3 * DAY:  # waiting for assessments, not closed yet
                status = "scheduled" if draw < 0.9 else "done"
            elif due > -14 * DAY and draw < 0.05:  # the clock has not closed it yet
                status = "scheduled"
            else:
                status = closed()
            completed = min(0, due + 3600 * (1 + below(71))) if status == "done" else None
            yield (
                checkpoint_id,
                team_of[relationship_id],
                relationship_id,
                "Checkpoint",
                "cadence" if rand() < 0.9 else "deliverable",
                stamp(due),
                status,
                stamp(min(0, due - DAY * (7 + below(53)))),
                None if completed is None else stamp(completed),
            )

    def nudges_() -> Iterator[tuple[Any, ...]]:
        kind_of = _picker(rand, {"before": 45, "assess": 40, "missed": 12, "at_risk": 3})
        for nudge_id in range(1, sizes.nudges + 1):
            checkpoint_id = 1 + below(sizes.checkpoints)
            relationship_id = checkpoint_relationship[checkpoint_id]
            kind = kind_of()
            draw = rand()
            claimed_by = claimed_until = sent_at = slack_channel = slack_ts = None
            attempts = 1
            if draw < 0.015:  # pending: due from two days ago to the end of the horizon
                status = "pending"
                send_at = below(16 * DAY) - 2 * DAY
                attempts = 0
            elif draw < 0.017:  # claimed by a worker; about half the leases have run out
                status = "claimed"
                send_at = -below(7200)
                claimed_by = "bench-host:1:abc123"
                claimed_until = stamp(below(1200) - 600)
            else:  # done with: sent, or skipped as no longer useful
                send_at = -60 - below(spread - 60)
                status = "sent" if rand() < 0.85 else "skipped"
                if status == "sent":
                    sent_at = stamp(send_at + 1 + below(120))
                    slack_channel = "D0BENCH"
                    slack_ts = f"{epoch + send_at}.{nudge_id % 1_000_000:06d}"
            at_risk = kind == "at_risk"
            due = checkpoint_due[checkpoint_id]
            yield (
                nudge_id,
                team_of[relationship_id],
                None if at_risk else rng.choice(members[relationship_id]),
                "C0COORDINATORS" if at_risk else None,
                relationship_id,
                None if at_risk else checkpoint_id,
                None if at_risk else stamp(due),
                kind,
                "no recent activity" if at_risk else "",
                f"{kind}:{nudge_id}",
                stamp(send_at),
                status,
                claimed_by,
                claimed_until,
                attempts,
                sent_at,
                slack_channel,
                slack_ts,
            )

    yield (
        "people",
        (
            "id",
            "team_id",
            "slack_user_id",
            "display_name",
            "tz",
            "nudges_muted",
            "created_at",
            "last_seen_at",
        ),
        people(),
    )
    yield (
        "relationships",
        (
            "id",
            "team_id",
            "kind",
            "status",
            "topic",
            "at_risk_reasons",
            "started_at",
            "ended_at",
            "end_reason",
        ),
        relationships(),
    )
    yield (
        "relationship_members",
        ("id", "team_id", "relationship_id", "person_id", "role"),
        relationship_members(),
    )
    yield (
        "checkpoints",
        (
            "id",
            "team_id",
            "relationship_id",
            "title",
            "reason",
            "due_at",
            "status",
            "created_at",
            "completed_at",
        ),
        checkpoints_(),
    )
    yield (
        "nudges",
        (
            "id",
            "team_id",
            "person_id",
            "channel",
            "relationship_id",
            "checkpoint_id",
            "checkpoint_due_at",
            "kind",
            "reasons",
            "dedupe_key",
            "send_at",
            "status",
            "claimed_by",
            "claimed_until",
            "attempts",
            "sent_at",
            "slack_channel",
            "slack_ts",
        ),
        nudges_(),
    )
