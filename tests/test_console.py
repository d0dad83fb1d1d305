"""The coordinator console through signed requests: status, chart, report, export, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot import checkpoints
from bot.cli.program import (
    DOT,
    KOFI,
    MARCUS,
    PRIYA,
    STEP_ANSWERS,
    actor,
    current_step,
    fill_step,
    match,
    start_agreement,
)
from bot.emulator.actor import wait_for
from handlers import ids
from handlers.slack_client import outbox_client
from handlers.sweeps import flag_at_risk, send_nudges
from storage.models import AuditEvent, Checkpoint

MARKERS = (
    "REFLECTION-MARKER-9931",
    "CONFIDENTIAL-MARKER-2217",
    "NEED-MARKER-6604",
    "NOTE-MARKER-4410",
)


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


@pytest.fixture
def program(driver, emulator, clock):
    """An active coaching relationship whose private texts carry unique markers."""
    kofi, dot = actor(driver, emulator, KOFI), actor(driver, emulator, DOT)
    channel = match(
        kofi, dot, kind="coach", need=f"Better SQL {MARKERS[2]}", manager=PRIYA, topics="SQL"
    )
    view_id = start_agreement(kofi, channel)
    for step in ("scope", "style", "confidentiality", "schedule", "expectations", "plan"):
        answers = dict(STEP_ANSWERS[step])
        if step == "confidentiality":
            answers["private"] = f"Between us: {MARKERS[1]}"
        if step == "schedule":
            answers["end_date"] = (clock.current.date() + timedelta(days=60)).isoformat()
        if step == "plan":
            answers["due_1"] = None
        assert current_step(kofi, view_id) == step
        fill_step(kofi, view_id, step, answers)
    for person in (kofi, dot):
        person.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    view_id = kofi.open_modal("/mentoring", "reflect")
    kofi.submit(
        view_id,
        {
            ids.REFLECT_LEARNED: f"Private {MARKERS[0]}",
            ids.REFLECT_SHARING: ["reports"],
            ids.REFLECT_USEFUL: "4",
        },
    )
    return kofi, dot


def in_channel(driver, user, text):
    return driver.command(user, "/mentoring", text, channel_id="C0COORD")


def test_status_is_posted_for_the_channel_and_audited(program, driver, services):
    response = in_channel(driver, MARCUS, "status")
    answer = response.as_message()
    assert answer["response_type"] == "in_channel"
    shown = str(answer)
    assert "Active relationships:* 1 (1 coaching)" in shown
    assert "Volunteers:* 1" in shown
    assert any(e.action == "view.status" for e in rows(services, AuditEvent))


@pytest.mark.parametrize(
    "filters",
    ["mentoring", "coaching", f"<@{KOFI}|kofi>", "since 2026-01-01", "coaching since 2026-01-01"],
)
def test_status_filters(program, driver, filters):
    answer = in_channel(driver, MARCUS, f"status {filters}").as_message()
    assert "Program status" in str(answer)
    if filters == "mentoring":
        assert "Active relationships:* 0" in str(answer)


def test_bad_filters_and_strangers_are_refused(program, driver, services):
    assert "since 2026-01-01" in in_channel(driver, MARCUS, "status since yesterday").text
    assert "don't understand" in in_channel(driver, MARCUS, "status banana").text
    for command in ("status", "status chart", "report", "export", "coordinators add <@U0DOT|d>"):
        answer = in_channel(driver, KOFI, command)
        assert "Only program coordinators" in answer.text, command
    refusals = [e for e in rows(services, AuditEvent) if e.action.startswith("refused.")]
    assert len(refusals) == 5
    assert {e.actor_slack_id for e in refusals} == {KOFI}


def test_coordinators_can_add_and_remove_coordinators(program, driver, services):
    assert "Only program coordinators" in in_channel(driver, KOFI, "status").text
    added = in_channel(driver, MARCUS, f"coordinators add <@{KOFI}|kofi>")
    assert "is now a coordinator" in added.text
    assert "Program status" in str(in_channel(driver, KOFI, "status").as_message())
    assert f"<@{KOFI}>" in in_channel(driver, MARCUS, "coordinators").text
    assert "already" in in_channel(driver, MARCUS, f"coordinators add <@{KOFI}|kofi>").text
    removed = in_channel(driver, KOFI, f"coordinators remove <@{KOFI}|kofi>")
    assert "no longer a coordinator" in removed.text
    configured = in_channel(driver, MARCUS, f"coordinators remove <@{MARCUS}|m>")
    assert "configuration" in configured.text


def test_report_lists_mentor_reports(program, driver, emulator):
    kofi, dot = program
    view_id = kofi.open_modal("/mentoring", "end")
    kofi.submit(view_id, {ids.END_REASON: "goals_met"})
    before = dot.modal_ids()
    dot.click_in_message(ids.REPORT_OPEN)
    dot.submit(dot.new_modal(before), {ids.REPORT_LEARNED: "Kofi writes his own queries"})
    answer = in_channel(driver, MARCUS, "report").as_message()
    assert "Kofi writes his own queries" in str(answer)
    assert "Mentor reports since 01 Jan 2026" in str(
        in_channel(driver, MARCUS, "report since 2026-01-01").as_message()
    )
    assert "Write the date" in in_channel(driver, MARCUS, "report since soon").text


def test_nothing_private_reaches_any_coordinator_output(program, driver, emulator, services):
    assert program

    first = min(rows(services, Checkpoint), key=lambda c: c.due_at)
    with services.database.transaction() as session:
        stored = session.get(Checkpoint, first.id)
        stored.due_at = services.now() - timedelta(days=1)
        session.add(stored)
    checkpoints.assess(
        services, team_id="T0EMULATOR", user_id=KOFI, checkpoint_id=first.id, progress="blocked"
    )
    checkpoints.add_note(
        services, team_id="T0EMULATOR", user_id=KOFI, checkpoint_id=first.id, note=MARKERS[3]
    )

    flag_at_risk(services)
    send_nudges(outbox_client(services.settings), services, worker="t")
    outputs = [
        str(in_channel(driver, MARCUS, text).as_message())
        for text in ("status", "status coaching", "report")
    ]
    in_channel(driver, MARCUS, "export")
    in_channel(driver, MARCUS, "status chart")
    files = wait_for(lambda: len(emulator.files()) >= 2 and emulator.files())
    outputs += [str(f) for f in files]
    outputs += [str(c.params) for c in emulator.calls() if c.params.get("channel") == "C0COORD"]
    blob = "\n".join(outputs)
    assert "someone reported being blocked" in blob
    for marker in MARKERS:
        assert marker not in blob, marker
    names = [str(f.get("name") or f.get("filename") or f.get("title")) for f in files]
    assert any("csv" in n for n in names)
    assert any("png" in n for n in names)
    csv_file = next(f for f in files if "csv" in str(f))
    assert "relationship_id,kind,status" in str(csv_file)
