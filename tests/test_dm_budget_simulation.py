"""26 simulated weeks of the real clock against the emulator: nobody ever gets more DMs from the
bot in any 7 days than the budget allows.

200 relationships: 40 mentors with five each (meeting on nearby days, so their nudges pile up),
170 learners of whom 30 have two mentors, a checkpoint every eight weeks. Every simulated day at
10:00 UTC the clock's own nudge sweep runs (planning, then sending), with an AdjustableClock
moved day by day; every fourth Monday also its at-risk and survey sweeps (pulse surveys,
periodic reports), which the real clock runs hourly but which plan once per period anyway.
Most people answer the questions they get, as a click would (the domain call, and the "heard
from" note every click makes); one in six never answers anything. The DMs counted are the
emulator's record of chat.postMessage calls into one-to-one DM channels, not our own table.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from bot import checkpoints, dm_gate
from bot.services import AdjustableClock, Services
from handlers import ids
from handlers.slack_client import outbox_client
from handlers.sweeps import flag_at_risk, plan_surveys_and_digest, send_nudges
from storage import people, relationships
from storage.db import Database
from storage.models import Checkpoint
from tests.conftest import BOT_TOKEN, TEAM_ID

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday
DAYS = 26 * 7
WEEK = timedelta(days=7)


def _users() -> tuple[list[str], list[str]]:
    guides = [f"U0SIMG{n:03d}" for n in range(40)]
    learners = [f"U0SIML{n:03d}" for n in range(170)]
    return guides, learners


def _seed(database: Database) -> None:
    """The 200 relationships and their fortnightly checkpoints, straight into storage."""
    guides, learners = _users()
    pairs = []
    for n in range(200):
        guide = guides[n // 5]
        learner = learners[n] if n < 170 else learners[(n - 170) * 5 + 1]
        pairs.append((guide, learner))
    started = START - timedelta(days=20)
    with database.transaction() as session:
        ids_by_user: dict[str, int] = {}
        for user in [*guides, *learners]:
            person = people.seen(session, team_id=TEAM_ID, slack_user_id=user, at=started)
            people.update_profile(session, person, display_name=user, tz="UTC")
            ids_by_user[user] = int(person.id or 0)
        for n, (guide, learner) in enumerate(pairs):
            relationship = relationships.start_group(
                session,
                team_id=TEAM_ID,
                kind="mentoring",
                topic="",
                guide_id=ids_by_user[guide],
                learner_ids=[ids_by_user[learner]],
                at=started,
            )
            # A mentor's five relationships meet on nearby weekdays, so their nudges pile up.
            first = START + timedelta(days=1 + n % 4, hours=4, minutes=30)
            for k in range(4):
                session.add(
                    Checkpoint(
                        team_id=TEAM_ID,
                        relationship_id=int(relationship.id or 0),
                        title=f"Checkpoint {k + 1}",
                        due_at=first + timedelta(weeks=8 * k),
                        created_at=started,
                    )
                )


def _ignores(user: str) -> bool:
    return int(user[-3:]) % 6 == 0


def _answer(services: Services, user: str, blocks: list[dict[str, object]]) -> None:
    """What a click on the first "On track" button does: the answer, and the note of a click."""
    buttons = [
        element
        for block in blocks
        if block.get("type") == "actions"
        for element in block.get("elements", [])  # type: ignore[attr-defined]
    ]
    for button in buttons:
        if button.get("action_id") == ids.ASSESS_ON_TRACK:
            checkpoints.assess(
                services,
                team_id=TEAM_ID,
                user_id=user,
                checkpoint_id=int(button["value"]),
                progress="on_track",
            )
            break
    dm_gate.heard_from(services, team_id=TEAM_ID, user_id=user)


def test_nobody_gets_more_dms_in_any_seven_days_than_the_budget(settings, emulator):
    guides, learners = _users()
    emulator.add_team(
        BOT_TOKEN,
        TEAM_ID,
        users=[
            {"id": u, "name": u.lower(), "real_name": u, "tz": "UTC"} for u in guides + learners
        ],
    )
    clock = AdjustableClock(START)
    services = Services(
        settings=settings, database=Database.from_url(settings.database_url), clock=clock
    )
    budget = settings.mentorbot_dm_budget
    assert budget == 3
    _seed(services.database)
    outbox = outbox_client(settings)
    received: dict[str, list[datetime]] = defaultdict(list)
    merged = deferred = stopped = 0
    seen_calls = 0
    began = time.monotonic()
    try:
        for day in range(DAYS):
            # 10:00: an hour after the 09:00 reminders (inside the catch-up grace), and the
            # morning after yesterday's "how did it go?" (a late catch-up in working hours).
            now = clock.advance(timedelta(days=1)) if day else clock.advance(timedelta(hours=4))
            if day % 28 == 0:
                flag_at_risk(services, now=now)
                plan_surveys_and_digest(services, now=now)
            lines = send_nudges(outbox, services, worker="sim-clock", now=now)
            merged += sum(1 for line in lines if line.outcome.startswith("sent merged"))
            deferred += sum(1 for line in lines if line.outcome.startswith("deferred"))
            calls = emulator.calls("chat.postMessage")
            for call in calls[seen_calls:]:
                channel = str(call.params["channel"])
                if emulator.channel_name(channel) != "directmessage":
                    stopped += "Nudges stopped for" in str(call.params.get("blocks"))
                    continue
                (user,) = emulator.channel_members(channel)
                received[user].append(now)
                if not _ignores(user):
                    _answer(services, user, list(call.params.get("blocks") or []))
            seen_calls = len(calls)
    finally:
        services.database.dispose()
    elapsed = time.monotonic() - began

    worst = 0
    for user, moments in received.items():
        for moment in moments:
            in_window = sum(1 for other in moments if moment - WEEK < other <= moment)
            worst = max(worst, in_window)
            assert in_window <= budget, (user, moment, in_window)
    # The budget really bit, in every way it can, and people still heard from the bot.
    # Reminders leave the last place of each window to messages someone is waiting on.
    assert worst >= budget - 1
    assert merged > 0 and deferred > 0
    assert stopped > 0
    total = sum(len(m) for m in received.values())
    assert total > 1500
    assert all(received[g] for g in guides)
    ignorers = [u for u in guides + learners if _ignores(u)]
    # Someone who never answers hears a few nudges, the note on how to resume, and no more.
    assert max(len(received[u]) for u in ignorers) <= settings.mentorbot_ignored_nudges + 2
    print(
        f"simulated {DAYS} days in {elapsed:.1f} s: {total} DMs, {merged} nudges merged, "
        f"{deferred} deferred"
    )
