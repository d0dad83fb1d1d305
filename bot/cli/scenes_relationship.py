"""Scenes of `mentorbot demo` that follow a relationship: the agreement, a month on the clock,
reflection, thanks and closure, and the record the learner keeps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import overview
from bot.cli.program import (
    DOT,
    JONAH,
    KOFI,
    RAFA,
    STEP_ANSWERS,
    fill_step,
    kickoff_channel,
    start_agreement,
)
from bot.cli.stage import Stage
from handlers import ids
from handlers.sweeps import flag_at_risk, send_nudges


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
