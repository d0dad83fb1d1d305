"""The contracting conversation end to end: steps, validation, confirmation, versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.cli.program import (
    DOT,
    KOFI,
    PRIYA,
    STEP_ANSWERS,
    actor,
    current_step,
    fill_step,
    match,
    start_agreement,
    step_values,
)
from bot.emulator.actor import wait_for
from handlers import ids
from storage.models import Agreement, Checkpoint, PlanItem

STEPS = ["scope", "style", "confidentiality", "schedule", "expectations", "plan"]


@pytest.fixture
def pair(driver, emulator):
    kofi, dot = actor(driver, emulator, KOFI), actor(driver, emulator, DOT)
    channel = match(
        kofi,
        dot,
        kind="coach",
        need="Better SQL for our reports",
        manager=PRIYA,
        topics="SQL and data modelling",
    )
    return kofi, dot, channel


def answers(step, clock_now, **override):
    values = dict(STEP_ANSWERS[step])
    if step == "schedule":
        values["end_date"] = (clock_now.date() + timedelta(days=90)).isoformat()
    if step == "plan":
        values["due_1"] = (clock_now.date() + timedelta(days=40)).isoformat()
    values.update(override)
    return values


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def fill_all(person, view_id, clock, steps=STEPS):
    for step in steps:
        assert current_step(person, view_id) == step
        response = fill_step(person, view_id, step, answers(step, clock.current))
        assert response.json()["response_action"] == "update", response.json()


def test_kickoff_reaches_both_in_a_group_conversation(pair, emulator):
    _, _, channel = pair
    assert set(emulator.channel_members(channel)) >= {KOFI, DOT}
    text = emulator.messages(channel)[0]["blocks"][0]["text"]["text"]
    assert "confidential" in text


def test_partial_progress_survives_a_closed_modal(pair, driver, emulator, services, clock):
    kofi, dot, channel = pair
    view_id = start_agreement(kofi, channel)
    fill_all(kofi, view_id, clock, steps=["scope", "style"])
    driver.close_view(KOFI, view_id)
    # Dot opens it later: the wizard resumes at the first step nobody has filled in.
    view_id = start_agreement(dot, channel)
    assert current_step(dot, view_id) == "confidentiality"
    saved = rows(services, Agreement)
    assert len(saved) == 1
    assert set(saved[0].terms) == {"scope", "style"}
    assert saved[0].status == "draft"


@pytest.mark.parametrize(
    ("step", "override", "field"),
    [
        ("scope", {"goals": ""}, "goals"),
        ("scope", {"covers": "x" * 1001}, "covers"),
        ("schedule", {"end_date": "2020-01-01"}, "end_date"),
        ("schedule", {"end_date": None}, "end_date"),
        ("expectations", {"guide": "   "}, "guide"),
    ],
)
def test_validation_errors_come_back_inline(step, override, field, pair, services, clock):
    kofi, _, channel = pair
    view_id = start_agreement(kofi, channel)
    for earlier in STEPS[: STEPS.index(step)]:
        fill_step(kofi, view_id, earlier, answers(earlier, clock.current))
    values = answers(step, clock.current, **override)
    response = fill_step(kofi, view_id, step, values)
    assert response.json()["response_action"] == "errors"
    assert f"{step}.{field}" in response.json()["errors"]


def test_plan_due_date_after_review_date_is_refused(pair, clock):
    kofi, _, channel = pair
    view_id = start_agreement(kofi, channel)
    fill_all(kofi, view_id, clock, steps=STEPS[:-1])
    late = (clock.current.date() + timedelta(days=200)).isoformat()
    response = fill_step(kofi, view_id, "plan", answers("plan", clock.current, due_1=late))
    assert "plan.due_1" in response.json()["errors"]


def _summary(emulator, channel):
    return wait_for(
        lambda: next(
            (
                m
                for m in reversed(emulator.messages(channel))
                if "Our agreement" in str(m) and "I agree" in str(m)
            ),
            None,
        )
    )


def test_not_active_until_both_confirm_then_checkpoints(pair, driver, emulator, services, clock):
    kofi, dot, channel = pair
    view_id = start_agreement(kofi, channel)
    fill_all(kofi, view_id, clock)
    summary = _summary(emulator, channel)
    assert rows(services, Agreement)[0].status == "proposed"
    kofi.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    wait_for(lambda: "Agreed so far" in str(emulator.message(channel, summary["ts"])))
    assert rows(services, Agreement)[0].status == "proposed"
    assert not rows(services, Checkpoint)

    again = driver.click(KOFI, ids.AGREEMENT_CONFIRM, message=(channel, summary["ts"]))
    assert again.status == 200
    dot.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    wait_for(lambda: rows(services, Agreement)[0].status == "active")
    made = wait_for(lambda: rows(services, Checkpoint))
    assert all(c.due_at > clock.current for c in made)
    assert all(c.due_at.weekday() < 5 for c in made)
    end = clock.current.date() + timedelta(days=90)
    assert all(c.due_at.date() <= end for c in made)
    assert any(c.reason == "deliverable" for c in made)
    wait_for(lambda: any("is active" in str(m) for m in emulator.messages(channel)))
    items = rows(services, PlanItem)
    assert {i.item_type for i in items} == {"goal", "resource"}


def test_amendment_makes_version_two_and_keeps_version_one(pair, driver, emulator, services, clock):
    kofi, dot, channel = pair
    view_id = start_agreement(kofi, channel)
    fill_all(kofi, view_id, clock)
    kofi.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    dot.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    wait_for(lambda: rows(services, Agreement)[0].status == "active")
    first_checkpoints = wait_for(lambda: rows(services, Checkpoint))

    plan = dot.command("/mentoring", "plan")
    assert "version 1" in plan.text
    shown = emulator.ephemerals(DOT)[-1]
    before = dot.modal_ids()
    driver.click(DOT, ids.AGREEMENT_EDIT, message=(shown["channel"], shown["ts"]))
    chooser = dot.new_modal(before)
    response = dot.submit(chooser, {ids.AGREEMENT_STEP_PICK: "schedule"})
    assert response.json()["response_action"] == "update"
    response = fill_step(
        dot, chooser, "schedule", answers("schedule", clock.current, cadence_days="7")
    )
    assert response.json()["response_action"] == "update"

    versions = sorted(rows(services, Agreement), key=lambda a: a.version)
    assert [(a.version, a.status) for a in versions] == [(1, "active"), (2, "proposed")]
    assert versions[0].terms["schedule"]["cadence_days"] == "14"
    assert versions[1].terms["schedule"]["cadence_days"] == "7"

    summary = _summary(emulator, channel)
    assert "version 2" in str(summary)
    for person in (kofi, dot):
        person.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    wait_for(
        lambda: (
            {a.version: a.status for a in rows(services, Agreement)}
            == {1: "superseded", 2: "active"}
        )
    )
    after = rows(services, Checkpoint)
    cancelled = [c for c in after if c.status == "cancelled"]
    assert len(cancelled) == len(first_checkpoints)
    assert any(c.status == "scheduled" for c in after)


def test_longest_answers_stay_within_block_kit_limits(pair, emulator, services, clock):
    kofi, _, channel = pair
    view_id = start_agreement(kofi, channel)
    longest: dict[str, dict[str, object]] = {
        "scope": {"goals": "g" * 1000, "covers": "c" * 1000, "excludes": "e" * 500},
        "style": {"directive": "mix", "feedback": "f" * 500},
        "confidentiality": {"manager_sees": ["meeting", "goals", "progress"], "private": "p" * 500},
        "expectations": {"learner": "l" * 500, "guide": "m" * 500},
        "plan": {
            **{f"goal_{n}": "G" * 200 for n in (1, 2, 3)},
            **{f"deliverable_{n}": "D" * 200 for n in (1, 2, 3)},
            "resources": "\n".join(["r" * 60] * 16)[:1000],
            "experts": ["U0RAFAEL01", "U0HANA01"],
        },
    }
    for step in STEPS:
        values = answers(step, clock.current, **longest.get(step, {}))
        response = kofi.submit(view_id, step_values(step, values))
        assert response.json()["response_action"] == "update", response.json()
    _summary(emulator, channel)
    kofi.command("/mentoring", "plan")
    refused = [c for c in emulator.calls(include_failed=True) if not c.ok]
    assert refused == []


def test_only_members_can_open_or_confirm(pair, driver, emulator, clock):
    kofi, _, channel = pair
    view_id = start_agreement(kofi, channel)
    fill_all(kofi, view_id, clock)
    summary = _summary(emulator, channel)
    driver.click("U0JONAH01", ids.AGREEMENT_CONFIRM, message=(channel, summary["ts"]))
    wait_for(
        lambda: any(
            "Only the people in this relationship" in s.text for s in emulator.seen("U0JONAH01")
        )
    )


def test_checkpoints_can_be_added_moved_and_removed(pair, driver, emulator, services, clock):
    kofi, dot, channel = pair
    view_id = start_agreement(kofi, channel)
    fill_all(kofi, view_id, clock)
    for person in (kofi, dot):
        person.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    wait_for(lambda: rows(services, Checkpoint))
    count = len(rows(services, Checkpoint))

    kofi.command("/mentoring", "plan")
    shown = emulator.ephemerals(KOFI)[-1]
    before = kofi.modal_ids()
    driver.click(KOFI, ids.CHECKPOINT_ADD, message=(shown["channel"], shown["ts"]))
    form = kofi.new_modal(before)
    saturday = clock.current.date() + timedelta(days=(5 - clock.current.weekday()) % 7 or 7)
    response = kofi.submit(form, {ids.CHECKPOINT_DAY: saturday.isoformat()})
    assert "weekday" in response.json()["errors"][ids.CHECKPOINT_DAY]
    monday = saturday + timedelta(days=2)
    response = kofi.submit(
        form, {ids.CHECKPOINT_DAY: monday.isoformat(), ids.CHECKPOINT_TITLE: "Mid-point review"}
    )
    assert response.json()["response_action"] == "update"
    added = [c for c in rows(services, Checkpoint) if c.title == "Mid-point review"]
    assert len(rows(services, Checkpoint)) == count + 1
    assert added[0].due_at.date() == monday or added[0].due_at.date() == monday - timedelta(1)

    scheduled = [c for c in rows(services, Checkpoint) if c.status == "scheduled"]
    target = min(scheduled, key=lambda c: c.due_at)
    dot.command("/mentoring", "plan")
    shown = emulator.ephemerals(DOT)[-1]
    before = dot.modal_ids()
    driver.click(
        DOT,
        ids.CHECKPOINT_MENU,
        message=(shown["channel"], shown["ts"]),
        selected_option=f"move:{target.id}",
    )
    form = dot.new_modal(before)
    new_day = monday + timedelta(days=1)
    response = dot.submit(form, {ids.CHECKPOINT_DAY: new_day.isoformat()})
    assert response.json()["response_action"] == "update"
    moved = next(c for c in rows(services, Checkpoint) if c.id == target.id)
    assert moved.due_at != target.due_at

    dot.command("/mentoring", "plan")
    shown = emulator.ephemerals(DOT)[-1]
    first = min(
        (c for c in rows(services, Checkpoint) if c.status == "scheduled"), key=lambda c: c.due_at
    )
    driver.click(
        DOT,
        ids.CHECKPOINT_MENU,
        message=(shown["channel"], shown["ts"]),
        selected_option=f"remove:{first.id}",
    )
    wait_for(
        lambda: (
            next(c for c in rows(services, Checkpoint) if c.id == first.id).status == "cancelled"
        )
    )


def test_group_coaching_is_active_only_when_every_learner_confirms(
    driver, emulator, services, clock
):
    siobhan = actor(driver, emulator, "U0SIOBHAN01")
    refused = siobhan.command("/mentoring", "group Onboarding <@U0KOFI01|kofi>")
    assert "2 to 12 learners" in refused.text
    answer = siobhan.command(
        "/mentoring", "group New-hire SQL <@U0KOFI01|kofi> <@U0ELODIE01|elodie>"
    )
    assert "2 learner(s)" in answer.text
    from bot.cli.program import kickoff_channel

    channel = kickoff_channel(siobhan)
    assert set(emulator.channel_members(channel)) >= {"U0SIOBHAN01", KOFI, "U0ELODIE01"}
    view_id = start_agreement(siobhan, channel)
    fill_all(siobhan, view_id, clock)
    for user in ("U0SIOBHAN01", KOFI):
        actor(driver, emulator, user).click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    wait_for(lambda: len([s for s in emulator.seen() if "Agreed so far" in s.text]) >= 2)
    assert rows(services, Agreement)[0].status == "proposed"
    actor(driver, emulator, "U0ELODIE01").click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    wait_for(lambda: rows(services, Agreement)[0].status == "active")


def test_an_observation_arrangement_records_what_is_observed(driver, emulator, services, clock):
    from bot.cli.program import ask_action, ask_for, choose, kickoff_channel, volunteer

    kofi, dot = actor(driver, emulator, KOFI), actor(driver, emulator, DOT)
    volunteer(
        dot,
        roles=["coach"],
        topics="Running incident reviews",
        formats=["observation", "one_to_one"],
    )
    view_id = ask_for(
        kofi,
        "/coach",
        need="Learn to run incident reviews by watching one",
        manager=PRIYA,
        scope="specific_skill",
        format="observation",
    )
    kofi.click_in_view(view_id, ask_action(choose(kofi, view_id, "coach"), DOT))
    dot.click_in_message(ids.INVITE_ACCEPT)
    channel = kickoff_channel(dot)
    view_id = start_agreement(kofi, channel)
    fill_all(
        kofi,
        view_id,
        clock,
        steps=[
            "scope",
            "style",
            "confidentiality",
            "schedule",
            "expectations",
            "observation",
            "plan",
        ],
    )
    agreement = rows(services, Agreement)[0]
    assert agreement.terms["observation"]["practice"] == "Run the next review myself"
    assert agreement.status == "proposed"
