"""The status bench's data: two and a half years of one workspace's program (people, offers,
relationships, checkpoints, requests, appreciations, pulse answers) generated as tables in
foreign-key order, with the facts the bench needs about them.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from bench._bulk import Stamp, TableRows, _picker
from bench._status_workspace import (
    AT_RISK_SHARE,
    CLOSED_SHARE,
    END_REASONS,
    KIND_WEIGHTS,
    TEAM,
    TOPICS,
    ZONES,
    Facts,
    Sizes,
)
from bot.pulse import period_of
from bot.risk import REASON_CODES

SEED = 20261126

DAY = 86_400
HISTORY = 900 * DAY  # the oldest relationship started this long ago


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), summing to exactly `total`."""
    whole = sum(weights)
    quotas = [total * w / whole for w in weights]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _dataset(sizes: Sizes, now: datetime, stamp: Stamp) -> tuple[list[TableRows], Facts]:
    """The tables to load in foreign-key order, as (table, columns, rows), and the facts about
    them. Deterministic for a given `now`; times are whole seconds from now, written by `stamp`."""
    rng = random.Random(SEED)
    rand = rng.random

    def below(n: int) -> int:
        return int(rand() * n)

    def uid(person_id: int) -> str:
        return f"UB{person_id:08d}"

    # Guides come from the volunteers and a tenth as many former volunteers (no offer now),
    # a few of them very busy; learners from everyone else.
    guide_pool = min(sizes.volunteers + sizes.volunteers // 10, sizes.people // 2)
    learners = sizes.people - guide_pool
    n = sizes.relationships

    # -- relationships: ids in the order they started, oldest first ---------------------------
    started = [0, *sorted(-(DAY + int((HISTORY - DAY) * rand() ** 1.25)) for _ in range(n))]
    kind_of = _picker(rand, KIND_WEIGHTS)
    end_reason_of = _picker(rand, END_REASONS)
    kinds = [""]
    ended: list[int | None] = [None]
    end_reasons: list[str | None] = [None]
    risks: list[tuple[int, str] | None] = [None]
    guide = [0]
    learner = [0]
    for rid in range(1, n + 1):
        start = started[rid]
        kinds.append(kind_of())
        if rand() < CLOSED_SHARE:
            end = min(-3600, start + max(3600, int(-start * (0.15 + 0.85 * rand()))))
            ended.append(end)
            end_reasons.append(end_reason_of() or None)
            risks.append(None)
        else:
            ended.append(None)
            end_reasons.append(None)
            if rand() < AT_RISK_SHARE:
                codes = rng.sample(REASON_CODES, 2 if rand() < 0.3 else 1)
                risks.append((-below(min(-start, 60 * DAY)), ",".join(sorted(codes))))
            else:
                risks.append(None)
        guide.append(1 + int(guide_pool * rand() ** 1.25))
        learner.append(guide_pool + 1 + below(learners))

    # -- requests: the recent relationships were matched from one; some wait, some withdrew ---
    matched = min(n, round(sizes.requests * 0.7))
    waiting = round(sizes.requests * 0.2)
    wanted: list[tuple[int, str, str | None, str, int, int | None, int | None, int | None]] = []
    for rid in range(n - matched + 1, n + 1):
        asked = "mentor" if kinds[rid] == "mentoring" else "coach"
        wait = int(3600 * (2 + 400 * rand() ** 2))  # two hours to ~17 days, mostly short
        created = started[rid] - wait
        wanted.append((created, asked, asked, "matched", learner[rid], None, rid, started[rid]))
    status_of = _picker(rand, {"open": 20, "matching": 50, "unmatched": 30})
    for _ in range(waiting):
        created = -below((150 if rand() < 0.1 else 60) * DAY)
        status = status_of()
        asked = "mentor" if rand() < 0.6 else "coach"
        chosen = None if status == "open" else asked
        notified = created + DAY if status == "unmatched" and created < -DAY else None
        requester = guide_pool + 1 + below(learners)
        wanted.append((created, asked, chosen, status, requester, notified, None, None))
    for _ in range(sizes.requests - matched - waiting):
        created = -below(365 * DAY)
        closed = min(-60, created + below(14 * DAY))
        requester = guide_pool + 1 + below(learners)
        wanted.append((created, "mentor", None, "cancelled", requester, None, None, closed))
    wanted.sort(key=lambda row: row[0])
    request_of = {row[6]: i for i, row in enumerate(wanted, 1) if row[6] is not None}

    # -- checkpoints: spread evenly over each relationship's span, a few weeks ahead if active --
    spans = []
    for rid in range(1, n + 1):
        closed_at = ended[rid]
        until = closed_at if closed_at is not None else 14 * DAY + below(42 * DAY)
        spans.append((started[rid], until, (14 if rand() < 0.6 else 28) * DAY))
    counts = _allocate(sizes.checkpoints, [(u - s) / c for s, u, c in spans])

    guided = Counter(guide[1:])
    busiest, busiest_count = guided.most_common(1)[0]

    def people() -> Iterator[tuple[Any, ...]]:
        joined = -HISTORY - 30 * DAY  # everyone was there before the program started
        for pid in range(1, sizes.people + 1):
            manager = uid(1 + below(guide_pool)) if rand() < 0.7 else None
            yield (
                pid,
                TEAM,
                uid(pid),
                f"Person {pid}",
                ZONES[below(len(ZONES))],
                manager,
                rand() < 0.03,
                rand() < 0.05,
                stamp(joined - below(365 * DAY)),
                stamp(-below(90 * DAY)),
                None,
            )

    def offers() -> Iterator[tuple[Any, ...]]:
        offer_status = _picker(rand, {"active": 85, "paused": 10, "withdrawn": 5})
        for pid in range(1, sizes.volunteers + 1):
            as_mentor = rand() < 0.8
            created = stamp(-HISTORY + below(HISTORY))
            yield (
                pid,
                TEAM,
                pid,
                as_mentor,
                not as_mentor or rand() < 0.4,
                ", ".join(rng.sample(TOPICS, 3)),
                "guide",
                '["video", "in_person"]' if rand() < 0.3 else '["video"]',
                2 + below(7),
                "Tuesday and Thursday afternoons",
                offer_status(),
                created,
                created,
            )

    def requests() -> Iterator[tuple[Any, ...]]:
        for qid, (created, asked, chosen, status, who, notified, _, closed) in enumerate(wanted, 1):
            topic = TOPICS[below(len(TOPICS))]
            yield (
                qid,
                TEAM,
                who,
                asked,
                asked,
                chosen,
                f"I would like help with {topic}.",
                f"Help with {topic}",
                '["growth"]',
                "skill",
                "video",
                "an hour every two weeks",
                None,
                status,
                None,
                None if notified is None else stamp(notified),
                stamp(created),
                stamp(created if closed is None else closed),
                None if closed is None else stamp(closed),
            )

    def relationships() -> Iterator[tuple[Any, ...]]:
        for rid in range(1, n + 1):
            end = ended[rid]
            risk = risks[rid]
            quiet = 30 * DAY if risk is not None else 10 * DAY
            yield (
                rid,
                TEAM,
                request_of.get(rid),
                kinds[rid],
                "active" if end is None else "closed",
                None,
                TOPICS[rid % len(TOPICS)],
                stamp(max(started[rid], (end or 0) - below(quiet))),
                None if risk is None else stamp(risk[0]),
                "" if risk is None else risk[1],
                stamp(started[rid]),
                None if end is None else stamp(end),
                end_reasons[rid],
            )

    def members() -> Iterator[tuple[Any, ...]]:
        for rid in range(1, n + 1):
            yield (2 * rid - 1, TEAM, rid, guide[rid], "guide")
            yield (2 * rid, TEAM, rid, learner[rid], "learner")

    def checkpoints() -> Iterator[tuple[Any, ...]]:
        kept = _picker(rand, {"done": 75, "missed": 18, "cancelled": 7})
        struggling = _picker(rand, {"done": 35, "missed": 60, "cancelled": 5})
        cid = 0
        for rid in range(1, n + 1):
            start, until, _ = spans[rid - 1]
            risk = risks[rid]
            trouble_from = 0 if risk is None else risk[0] - 45 * DAY  # missed more since
            created = stamp(start + min(3 * DAY, (until - start) // 4))
            total = counts[rid - 1]
            for j in range(total):
                due = start + (j + 1) * (until - start) // total + below(2 * DAY) - DAY
                due = min(due, until) // 900 * 900  # on the quarter hour
                draw = rand()
                if due >= 0:
                    status = "scheduled" if draw < 0.97 else "cancelled"
                elif due > -3 * DAY:  # waiting for the assessments
                    status = "scheduled" if draw < 0.85 else "done"
                elif due > -14 * DAY and draw < 0.04:  # the clock has not closed it yet
                    status = "scheduled"
                else:
                    status = struggling() if due > trouble_from else kept()
                done_at = min(0, due + 3600 * (1 + below(71))) if status == "done" else None
                cid += 1
                yield (
                    cid,
                    TEAM,
                    rid,
                    None,
                    f"Checkpoint {j + 1}",
                    "cadence" if rand() < 0.9 else "deliverable",
                    stamp(due),
                    status,
                    created,
                    None if done_at is None else stamp(done_at),
                )

    def appreciations() -> Iterator[tuple[Any, ...]]:
        found = []
        for _ in range(sizes.appreciations):
            if rand() < 0.1:  # thanks outside any relationship
                rid, sender, receiver = None, 1 + below(sizes.people), 1 + below(sizes.people)
                created = -below(HISTORY)
            else:
                rid = 1 + below(n)
                sender, receiver = learner[rid], guide[rid]
                if rand() < 0.25:
                    sender, receiver = receiver, sender
                until = ended[rid] or 0
                created = started[rid] + below(until - started[rid])
            found.append((created, sender, receiver, rid, rand() < 0.25))
        found.sort(key=lambda row: row[0])
        for aid, (created, sender, receiver, rid, public) in enumerate(found, 1):
            message = "Thank you for the session, it really helped!"
            yield (aid, TEAM, sender, receiver, rid, message, public, stamp(created))

    def pulses() -> Iterator[tuple[Any, ...]]:
        rating_of = _picker(rand, {"5": 35, "4": 40, "3": 15, "2": 7, "1": 3})
        answered: set[tuple[int, int, str]] = set()
        found: list[tuple[int, int, int, str, int | None, str]] = []
        for _ in range(50 * sizes.pulses):
            if len(found) == sizes.pulses:
                break
            rid = 1 + below(n)
            created = -below(365 * DAY)
            if not started[rid] + 14 * DAY <= created <= (ended[rid] or 0):
                continue
            person = guide[rid] if rand() < 0.5 else learner[rid]
            period = period_of(now + timedelta(seconds=created), 3)
            if (rid, person, period) in answered:
                continue
            answered.add((rid, person, period))
            rating = None if rand() < 0.05 else int(rating_of())
            suggestion = "More structure in the first sessions." if rand() < 0.1 else ""
            found.append((created, rid, person, period, rating, suggestion))
        found.sort(key=lambda row: row[0])
        for pid, (created, rid, person, period, rating, suggestion) in enumerate(found, 1):
            yield (pid, TEAM, rid, person, period, rating, suggestion, stamp(created))

    tables: list[TableRows] = [
        (
            "people",
            (
                "id",
                "team_id",
                "slack_user_id",
                "display_name",
                "tz",
                "manager_slack_id",
                "nudges_muted",
                "shoutouts_opt_out",
                "created_at",
                "last_seen_at",
                "erased_at",
            ),
            people(),
        ),
        (
            "offers",
            (
                "id",
                "team_id",
                "person_id",
                "as_mentor",
                "as_coach",
                "topics",
                "style",
                "formats",
                "capacity",
                "availability",
                "status",
                "created_at",
                "updated_at",
            ),
            offers(),
        ),
        (
            "requests",
            (
                "id",
                "team_id",
                "requester_id",
                "kind_asked",
                "kind_recommended",
                "kind_chosen",
                "need",
                "summary",
                "drivers",
                "goal_scope",
                "format",
                "time_commitment",
                "manager_slack_id",
                "status",
                "view_id",
                "coordinator_notified_at",
                "created_at",
                "updated_at",
                "closed_at",
            ),
            requests(),
        ),
        (
            "relationships",
            (
                "id",
                "team_id",
                "request_id",
                "kind",
                "status",
                "channel_id",
                "topic",
                "last_activity_at",
                "at_risk_since",
                "at_risk_reasons",
                "started_at",
                "ended_at",
                "end_reason",
            ),
            relationships(),
        ),
        (
            "relationship_members",
            ("id", "team_id", "relationship_id", "person_id", "role"),
            members(),
        ),
        (
            "checkpoints",
            (
                "id",
                "team_id",
                "relationship_id",
                "agreement_id",
                "title",
                "reason",
                "due_at",
                "status",
                "created_at",
                "completed_at",
            ),
            checkpoints(),
        ),
        (
            "appreciations",
            (
                "id",
                "team_id",
                "from_id",
                "to_id",
                "relationship_id",
                "message",
                "public",
                "created_at",
            ),
            appreciations(),
        ),
        (
            "pulse_responses",
            (
                "id",
                "team_id",
                "relationship_id",
                "person_id",
                "period",
                "rating",
                "suggestion",
                "created_at",
            ),
            pulses(),
        ),
    ]
    facts = Facts(
        active=sum(1 for end in ended[1:] if end is None),
        busiest_guide=uid(busiest),
        busiest_guide_name=f"Person {busiest}",
        busiest_guide_relationships=busiest_count,
    )
    return tables, facts
