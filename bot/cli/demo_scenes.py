"""The scripted program `mentorbot demo` acts out, scene by scene, through the signed driver."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import overview
from bot.cli.program import (
    AMARA,
    DOT,
    ELODIE,
    HANA,
    INES,
    JONAH,
    KOFI,
    LEILANI,
    MARCUS,
    PRIYA,
    RAFA,
    SIOBHAN,
    STEP_ANSWERS,
    TOMAS,
    WREN,
    ask_action,
    ask_for,
    choose,
    decline,
    fill_step,
    kickoff_channel,
    offered,
    start_agreement,
    volunteer,
)
from bot.cli.stage import COORDINATOR_CHANNEL, Stage
from bot.emulator.actor import wait_for
from bot.emulator.server import DEFAULT_TEAM as TEAM
from bot.workdays import working_moment, zone
from handlers import ids
from handlers.sweeps import flag_at_risk, flag_stuck_stages, send_nudges
from storage import people as storage_people
from storage import relationships
from storage.models import Checkpoint

Scene = Callable[[Stage], None]


def scene_first_contact(stage: Stage) -> None:
    amara = AMARA
    stage.driver.event(
        {
            "type": "app_home_opened",
            "user": amara,
            "tab": "home",
            "channel": "D0AMARA01",
            "event_ts": f"{time.time():.6f}",
        }
    )
    stage.settle()
    stage.driver.command(amara, "/mentoring", "")
    stage.driver.command(amara, "/mentoring", "frobnicate")


def scene_pool(stage: Stage) -> None:
    volunteer(
        stage.actor(DOT),
        roles=["coach", "mentor"],
        capacity=1,
        topics="SQL and data modelling, code review, mentoring new engineers",
    )
    volunteer(
        stage.actor(SIOBHAN),
        roles=["coach"],
        capacity=2,
        topics="SQL, statistics, presenting data to executives",
    )
    volunteer(
        stage.actor(RAFA),
        roles=["mentor"],
        capacity=2,
        topics="Career growth, moving from engineer to engineering manager, leadership",
    )
    volunteer(
        stage.actor(TOMAS),
        roles=["mentor"],
        capacity=2,
        topics="Leadership, people management, career direction",
    )


def scene_coaching_need(stage: Stage) -> None:
    kofi = stage.actor(KOFI)
    view_id = ask_for(
        kofi,
        "/coach",
        need="I need to write faster, cleaner SQL for our weekly reports before the March release",
        manager=PRIYA,
        scope="specific_skill",
        drivers=["job_requirements"],
        summary="Coaching on SQL for reporting",
    )
    candidates = choose(kofi, view_id, "coach")
    kofi.click_in_view(view_id, ask_action(candidates, SIOBHAN))


def scene_decline(stage: Stage) -> None:
    siobhan = stage.actor(SIOBHAN)
    decline(siobhan, reason="Fully booked until the quarter ends, sorry!")
    siobhan.command("/mentoring", "offer pause")
    kofi = stage.actor(KOFI)
    kofi.click_in_message(ask_action(kofi.latest_message_with(ids.REQUEST_CANCEL), DOT))
    stage.actor(DOT).click_in_message(ids.INVITE_ACCEPT)


def scene_contract(stage: Stage) -> None:
    kofi, dot = stage.actor(KOFI), stage.actor(DOT)
    channel = kickoff_channel(dot)
    view_id = start_agreement(kofi, channel)
    today = stage.services.now().date()
    for step in ("scope", "style", "confidentiality", "schedule", "expectations", "plan"):
        answers = dict(STEP_ANSWERS[step])
        if step == "schedule":
            answers["end_date"] = (today + timedelta(days=84)).isoformat()
        if step == "plan":
            answers["due_1"] = (today + timedelta(days=30)).isoformat()
        fill_step(kofi, view_id, step, answers)
    stage.settle()
    kofi.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    stage.settle()
    dot.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)


def scene_ledger(stage: Stage) -> None:
    """Dot opens her Home tab: who can see what about her, generated from the access rules."""
    stage.driver.event({"type": "app_home_opened", "user": DOT, "tab": "home"})


def scene_mentoring_need(stage: Stage) -> None:
    jonah = stage.actor(JONAH)
    view_id = ask_for(
        jonah,
        "/coach",
        need="I keep wondering whether to move into management or stay "
        "technical, and where I want to be in five years",
        manager=TOMAS,
        scope="broad_direction",
        drivers=["career_enhancement"],
    )
    candidates = choose(jonah, view_id, "mentor")
    if TOMAS in offered(candidates):
        raise AssertionError("a manager was proposed as a mentor")
    jonah.click_in_view(view_id, ask_action(candidates, RAFA))
    stage.actor(RAFA).click_in_message(ids.INVITE_ACCEPT)


def scene_coordinators(stage: Stage) -> None:
    leilani = stage.actor(LEILANI)
    view_id = ask_for(
        leilani,
        "/coach",
        need="Get better at running incident reviews",
        manager=PRIYA,
        scope="specific_skill",
        summary="Coaching on running incident reviews",
    )
    choose(leilani, view_id, "coach")
    marcus = stage.actor(MARCUS)
    before = marcus.modal_ids()
    marcus.click_in_message(ids.QUEUE_ASSIGN, channel=COORDINATOR_CHANNEL)
    marcus.submit(marcus.new_modal(before), {ids.ASSIGN_PERSON: TOMAS})
    stage.actor(TOMAS).click_in_message(ids.INVITE_ACCEPT)


def scene_me(stage: Stage) -> None:
    stage.actor(KOFI).command("/mentoring", "me")


MENTORING_ANSWERS = {
    "scope": {
        "goals": "Decide between the management and the staff-engineer track",
        "covers": "What each path looks like day to day; trying a lead role first",
        "excludes": "Salary negotiation",
    },
    "style": {"directive": "guide", "feedback": "Questions first, opinions when I ask"},
    "expectations": {
        "learner": "Bring one real decision to each session",
        "guide": "Honest stories, including the bad weeks",
    },
    "plan": {
        "goal_1": "Choose a track",
        "deliverable_1": "A one-page decision note",
        "resources": "The Staff Engineer's Path",
    },
}


def agree(stage: Stage, learner: str, guide: str, *, cadence: str, weeks: int) -> None:
    """`learner` fills in the whole agreement with `guide`, and both confirm it."""
    channel = kickoff_channel(stage.actor(guide))
    person = stage.actor(learner)
    view_id = start_agreement(person, channel)
    today = stage.services.now().date()
    for step in ("scope", "style", "confidentiality", "schedule", "expectations", "plan"):
        answers = dict(STEP_ANSWERS[step])
        if step == "schedule":
            answers.update(
                cadence_days=cadence,
                review_every="1",
                end_date=(today + timedelta(weeks=weeks)).isoformat(),
            )
        if step == "plan":
            answers["due_1"] = (today + timedelta(days=30)).isoformat()
        fill_step(person, view_id, step, answers)
    stage.settle()
    for user in (learner, guide):
        stage.actor(user).click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
        stage.settle()


def scene_month(stage: Stage) -> None:
    """Four weeks on the clock, an hour at a time: Kofi and Dot keep their checkpoints (Kofi
    moves the first one); Jonah and Rafa go quiet, and the coordinators hear about it."""
    agree(stage, JONAH, RAFA, cadence="7", weeks=8)
    stage.emulator.record_seen((), None, "clock", "Jonah and Rafa agreed to meet weekly.")
    handled: set[str] = set()
    for _ in range(24 * 30):
        moment = stage.clock.advance(timedelta(hours=1))
        if moment.hour == 0:
            stage.emulator.record_seen((), None, "clock", f"{moment:%A %d %B}")
            flag_at_risk(stage.services)
        if send_nudges(stage.outbox, stage.services, worker="demo-clock"):
            react_to_nudges(stage, handled)


def react_to_nudges(stage: Stage, handled: set[str]) -> None:
    """Kofi reschedules his first checkpoint; after each one he and Dot say how it went."""
    for user, answer in ((KOFI, ids.ASSESS_ON_TRACK), (DOT, ids.ASSESS_BEHIND)):
        person = stage.actor(user)
        for message in stage.emulator.messages(person.dm_channel()):
            if message["ts"] in handled:
                continue
            actions = {a for b in message.get("blocks") or [] for a in _action_ids(b)}
            if ids.NUDGE_RESCHEDULE in actions and user == KOFI and not handled & {"moved"}:
                handled.update({message["ts"], "moved"})
                before = person.modal_ids()
                stage.driver.click(
                    user, ids.NUDGE_RESCHEDULE, message=(person.dm_channel(), message["ts"])
                )
                form = person.new_modal(before)
                new_day = stage.services.now().date() + timedelta(days=3)
                while new_day.weekday() >= 5:
                    new_day += timedelta(days=1)
                person.submit(form, {ids.CHECKPOINT_DAY: new_day.isoformat()})
                stage.settle()
            elif answer in actions:
                handled.add(message["ts"])
                stage.driver.click(user, answer, message=(person.dm_channel(), message["ts"]))
                stage.settle()
            else:
                handled.add(message["ts"])


def _action_ids(block: dict[str, Any]) -> list[str]:
    elements = block.get("elements") if block.get("type") == "actions" else []
    return [str(e.get("action_id")) for e in elements or [] if isinstance(e, dict)]


def scene_closing(stage: Stage) -> None:
    """Kofi reflects, thanks Dot in public, looks at his Home tab, and closes the relationship;
    Dot writes the final report."""
    kofi, dot = stage.actor(KOFI), stage.actor(DOT)
    view_id = kofi.open_modal("/mentoring", "reflect")
    kofi.submit(
        view_id,
        {
            ids.REFLECT_RELATIONSHIP: kofi_relationship(stage),
            ids.REFLECT_LEARNED: "Reading query plans before optimising",
            ids.REFLECT_NEXT: "Rewrite the churn report myself",
            ids.REFLECT_USEFUL: "5",
        },
    )
    view_id = kofi.open_modal("/mentoring", f"thanks <@{DOT}|dot> for patient, honest reviews")
    kofi.submit(view_id, {ids.THANKS_PUBLIC: ["public"]})
    stage.settle()
    stage.driver.event({"type": "app_home_opened", "user": KOFI, "tab": "home"})
    stage.settle()
    view_id = kofi.open_modal("/mentoring", "end")
    kofi.submit(
        view_id, {ids.END_RELATIONSHIP: kofi_relationship(stage), ids.END_REASON: "goals_met"}
    )
    stage.settle()
    before = dot.modal_ids()
    dot.click_in_message(ids.REPORT_OPEN)
    dot.submit(
        dot.new_modal(before),
        {
            ids.REPORT_GOALS: ["0"],
            ids.REPORT_LEARNED: "Kofi now reads query plans and writes the weekly report alone.",
            ids.REPORT_RECOMMENDATIONS: "A data modelling course next quarter.",
            ids.REPORT_SHARE: ["learners"],
        },
    )


RECORD_LINES = 14


def scene_closing_record(stage: Stage) -> None:
    """Kofi opens the Markdown record he keeps (the one with Dot's shared report in it)."""
    channel = stage.emulator.dm_channel(KOFI)
    kept = [
        f
        for f in stage.emulator.files()
        if f.get("channel") == channel and str(f.get("name", "")).endswith(".md")
    ]
    if not kept:
        raise AssertionError("Kofi received no closing record")
    content = bytes(kept[-1].get("content") or b"").decode("utf-8")
    lines = content.splitlines()[:RECORD_LINES]
    shown = [f"{kept[-1]['name']}, the first {len(lines)} lines:", "", *lines, "…"]
    stage.emulator.record_seen((KOFI,), channel, "file", "\n".join(shown))


def kofi_relationship(stage: Stage) -> str:
    """The value of Kofi's coaching relationship with Dot in the modal's relationship picker."""
    mine = overview.for_person(stage.services, team_id="T0EMULATOR", user_id=KOFI)
    return next(str(line.relationship_id) for line in mine.relationships if DOT in line.partners)


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


AUDIENCES = {
    "scene_coordinators_view": {MARCUS},
    "scene_service_level": {MARCUS, ELODIE},
    "scene_health": {MARCUS, JONAH},
    "scene_budget": {TOMAS},
}


SCENES: list[tuple[str, Scene]] = [
    ("First contact: the Home tab, help, and a typo", scene_first_contact),
    ("Volunteers join the pool", scene_pool),
    ("Kofi needs a coach: triage, a match, and an invitation", scene_coaching_need),
    ("Siobhan declines, so Kofi is offered the next person; Dot accepts", scene_decline),
    ("Kofi and Dot agree how they will work, and both confirm", scene_contract),
    ("Dot checks her Home tab: who can see what about her", scene_ledger),
    (
        "Jonah types /coach but needs a mentor; his own manager is never proposed",
        scene_mentoring_need,
    ),
    ("Nobody is free for Leilani: the coordinators assign by hand", scene_coordinators),
    ("Kofi looks at what he has going on", scene_me),
    (
        "A month in fast-forward: reminders, a reschedule, a missed checkpoint, an alert",
        scene_month,
    ),
    (
        "Kofi reflects, thanks Dot in public, checks his Home tab and closes; Dot reports",
        scene_closing,
    ),
    ("Kofi opens the closing record he keeps", scene_closing_record),
    (
        "Nobody answers Elodie within two working days: the coordinators and Elodie are told",
        scene_service_level,
    ),
    ("Health scores: the coordinators' status and Jonah's Home tab", scene_health),
    (
        "The coordinators' view: status, the health chart, and a cohort of 30 new hires",
        scene_coordinators_view,
    ),
    (
        "A busy week for Tomás: three reminders merged into one DM, then a pause",
        scene_budget,
    ),
]
