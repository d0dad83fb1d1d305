"""Scenes of `mentorbot demo` for the coordinators and the bot's safeguards: status, the chart and
a cohort, request service levels, health scores, and the weekly DM budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.cli.program import (
    AMARA,
    ELODIE,
    HANA,
    INES,
    JONAH,
    MARCUS,
    PRIYA,
    RAFA,
    SIOBHAN,
    TOMAS,
    WREN,
    ask_action,
    ask_for,
    choose,
    volunteer,
)
from bot.cli.stage import COORDINATOR_CHANNEL, Stage
from bot.emulator.actor import wait_for
from bot.emulator.server import DEFAULT_TEAM as TEAM
from bot.workdays import working_moment, zone
from handlers import ids
from handlers.sweeps import flag_stuck_stages, send_nudges
from storage import people as storage_people
from storage import relationships
from storage.models import Checkpoint


def new_hires(count: int) -> list[dict[str, Any]]:
    """An intake of people joining the company, added to the emulated workspace."""
    zones = (
        "Europe/London",
        "America/New_York",
        "America/Chicago",
        "Asia/Kolkata",
        "Europe/Berlin",
        "Australia/Sydney",
    )
    return [
        {
            "id": f"U0HIRE{n:02d}",
            "name": f"hire{n:02d}",
            "real_name": f"New Hire {n:02d}",
            "display_name": f"Hire {n:02d}",
            "tz": zones[n % len(zones)],
            "title": "Engineer",
        }
        for n in range(1, count + 1)
    ]


HIRE_NEEDS = (
    ("coach", "Get productive with our SQL warehouse and reporting"),
    ("coach", "Learn our code review and testing practices"),
    ("coach", "Present my work confidently in demos"),
    ("mentor", "Find my direction here: product or platform"),
    ("mentor", "Plan my first year and what to learn"),
)


INTAKE_VOLUNTEERS = (
    (WREN, ["coach"], "Code review, testing, Python", 4),
    (INES, ["coach"], "SQL, data warehouse, reporting, dashboards", 4),
    (HANA, ["mentor", "coach"], "Presenting work, demos, product direction", 4),
    (AMARA, ["mentor"], "Career direction, first year plans, leadership", 4),
    (SIOBHAN, ["coach"], "SQL, statistics, reporting", 4),
    (RAFA, ["mentor"], "Career growth, choosing between product and platform", 4),
    (ELODIE, ["coach"], "Testing practices, code review", 4),
    (PRIYA, ["mentor"], "First year plans, career direction in product", 4),
)


def scene_coordinators_view(stage: Stage) -> None:
    """Marcus asks for the program status and the health chart, then matches an intake of 30
    new hires at once: an optimal proposal, sent only when he approves it."""
    marcus = MARCUS
    stage.driver.command(marcus, "/mentoring", "status", channel_id=COORDINATOR_CHANNEL)
    stage.driver.command(marcus, "/mentoring", "status chart", channel_id=COORDINATOR_CHANNEL)
    stage.settle()
    hires = new_hires(30)
    stage.emulator.add_team("xoxb-emulator-token", "T0EMULATOR", hires)
    for user, roles, topics, capacity in INTAKE_VOLUNTEERS:
        volunteer(stage.actor(user), roles=roles, topics=topics, capacity=capacity)
    for n, hire in enumerate(hires):
        kind, need = HIRE_NEEDS[n % len(HIRE_NEEDS)]
        ask_for(
            stage.actor(str(hire["id"])),
            f"/{kind}",
            need=need,
            manager=TOMAS,
            scope="specific_skill" if kind == "coach" else "broad_direction",
        )
    stage.driver.command(marcus, "/mentoring", "cohort", channel_id=COORDINATOR_CHANNEL)
    stage.settle()
    proposal = stage.emulator.messages(COORDINATOR_CHANNEL)[-1]
    stage.driver.click(marcus, ids.COHORT_APPROVE, message=(COORDINATOR_CHANNEL, proposal["ts"]))
    wait_for(
        lambda: any(
            "approved the cohort" in str(call.params)
            for call in stage.emulator.calls("response_url")
        ),
        timeout=30,
    )


def scene_budget(stage: Stage) -> None:
    """Tomás takes on three new hires who all meet him the same day. His three reminders come
    as one digest (at most MENTORBOT_DM_BUDGET DMs a week); then he pauses the bot for a week,
    so the three "how did it go?" questions are skipped, and resumes."""
    services = stage.services
    now = stage.clock.advance(timedelta(days=8))  # a quiet week: nobody's window holds DMs
    day = now.date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    due = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=14)
    with services.database.transaction() as session:
        guide = storage_people.by_slack_id(session, team_id=TEAM, slack_user_id=TOMAS)
        assert guide is not None and guide.id is not None
        for hire in ("U0HIRE01", "U0HIRE02", "U0HIRE03"):
            learner = storage_people.seen(session, team_id=TEAM, slack_user_id=hire, at=now)
            relationship = relationships.start_group(
                session,
                team_id=TEAM,
                kind="coaching",
                topic="",
                guide_id=guide.id,
                learner_ids=[learner.id or 0],
                at=now,
            )
            session.add(
                Checkpoint(
                    team_id=TEAM,
                    relationship_id=relationship.id or 0,
                    title=f"First session with {hire[-2:]}",
                    due_at=due,
                    created_at=now,
                )
            )
    stage.emulator.record_seen(
        (TOMAS,), None, "clock", f"Tomás now coaches three new hires; all three meet him {day:%A}."
    )
    tomas = stage.actor(TOMAS)
    paused = False
    skipped = 0
    while stage.clock() < due + timedelta(hours=30):
        stage.clock.advance(timedelta(hours=1))
        lines = send_nudges(stage.outbox, stage.services, worker="demo-clock")
        skipped += sum(1 for line in lines if line.to == TOMAS and line.outcome.endswith("paused"))
        if not paused and any(line.to == TOMAS and "merged" in line.outcome for line in lines):
            stage.settle()
            tomas.command("/mentoring", "pause 1")
            paused = True
    stage.emulator.record_seen(
        (TOMAS,),
        None,
        "clock",
        f"While he was paused, {skipped} question(s) to Tomás were skipped.",
    )
    tomas.command("/mentoring", "me")
    tomas.command("/mentoring", "resume")


def scene_service_level(stage: Stage) -> None:
    """Elodie asks for a mentor and asks Rafa, who does not answer. Three working days on,
    the clock tells the coordinators (once, however often it sweeps) and tells Elodie what is
    happening; it also notices that Leilani and Tomás never confirmed an agreement."""
    elodie = stage.actor(ELODIE)
    view_id = ask_for(
        elodie,
        "/mentor",
        need="Whether to aim for engineering management, and how to get a first taste of it",
        manager=PRIYA,
        scope="broad_direction",
        drivers=["career_enhancement"],
        summary="Mentoring on a move towards engineering management",
    )
    candidates = choose(elodie, view_id, "mentor")
    elodie.click_in_view(view_id, ask_action(candidates, RAFA))
    stage.settle()
    elodie.command("/mentoring", "me")
    # Five calendar days always hold at least three working days: past the service level.
    moment = stage.clock.advance(timedelta(days=5))
    stage.emulator.record_seen((), None, "clock", f"{moment:%A %d %B}: nobody has said yes yet")
    for worker in ("demo-clock-1", "demo-clock-2"):  # two clocks by mistake: still one of each
        flag_stuck_stages(stage.services)
        send_nudges(stage.outbox, stage.services, worker=worker)
    stage.settle()
    # Elodie's DM waits for her working hours.
    user = stage.emulator.user(ELODIE) or {}
    morning = working_moment(moment, zone(str(user.get("tz") or "UTC")))
    if morning > moment:
        stage.clock.set(morning)
        stage.emulator.record_seen((), None, "clock", f"{morning:%A %d %B %H:%M} UTC")
    send_nudges(stage.outbox, stage.services, worker="demo-clock-1")


def scene_health(stage: Stage) -> None:
    """Marcus sees the queue with its ages and each at-risk relationship's health score;
    Jonah sees his own on his Home tab."""
    stage.driver.command(MARCUS, "/mentoring", "status", channel_id=COORDINATOR_CHANNEL)
    stage.driver.event({"type": "app_home_opened", "user": JONAH, "tab": "home"})
    stage.settle()
