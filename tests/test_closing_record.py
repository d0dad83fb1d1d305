"""The closing record: the pure Markdown builder, and its delivery at closure through signed
requests (one-to-one, after a shared report, and in a group)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot import appreciation, closing_record, reflections
from bot.cli.program import (
    DOT,
    ELODIE,
    KOFI,
    PRIYA,
    STEP_ANSWERS,
    actor,
    fill_step,
    match,
    start_agreement,
)
from bot.closing_record import Goal, Record, ReflectionLine, ReportText, Term, ThanksLine
from bot.emulator.actor import wait_for
from bot.people import Known
from handlers import ids
from storage import people, relationships
from storage.models import Checkpoint

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TRICKY = (
    "# Not a heading\n<!channel> <@U0KOFI01> [a link](http://example.com) "
    "<script>alert(1)</script> ```fence``` {braces} & ~~tilde~~ \\ back`tick"
)


def headings_outside_fences(document: str) -> list[str]:
    """Markdown headings as a reader sees them: lines starting with # outside fenced blocks."""
    found, fence = [], None
    for line in document.splitlines():
        if fence is None and line.startswith("```"):
            fence = line[: len(line) - len(line.lstrip("`"))]
        elif fence is not None and line == fence:
            fence = None
        elif fence is None and line.startswith("#"):
            found.append(line)
    return found


def record(**changes: object) -> Record:
    base = Record(
        learner="Kofi",
        guide="Dot",
        kind="coaching",
        started=AT,
        ended=AT + timedelta(days=90),
        reason="the goals were met",
        agreement_version=2,
        terms=(
            Term("Scope", "Goals, in your own words", TRICKY, typed=True),
            Term("Style", "How directive should it be?", "A mix of both", typed=False),
        ),
        goals=(Goal("Weekly report in SQL", "The report query", date(2026, 4, 1), True),),
        checkpoints=(),
        own_reflections=(ReflectionLine("Kofi", AT, TRICKY, "Try it alone"),),
        shared_reflections=(ReflectionLine("Dot", AT, "Plans before indexes", ""),),
        thanks=(ThanksLine("Kofi", "Dot", AT, "Thank you {for} <everything>"),),
        report=None,
    )
    return Record(**{**base.__dict__, **changes})


def test_typed_text_is_kept_verbatim_and_cannot_change_the_document():
    document = closing_record.render(record())
    assert document.count(TRICKY) == 2  # the goals term and the reflection, character for char
    assert "Thank you {for} <everything>" in document
    assert "&lt;" not in document and "&amp;" not in document
    assert headings_outside_fences(document) == [
        "# Your coaching record",
        "## The agreement",
        "### Scope",
        "### Style",
        "## Goals and deliverables",
        "## Checkpoints",
        "## Your reflections",
        "## Reflections shared with you",
        "## Thanks exchanged",
        "## The mentor's or coach's report",
    ]
    assert "- **How directive should it be?:** A mix of both" in document
    assert "Version 2" in document
    assert "(reached)" in document and "Due: 01 Apr 2026" in document
    assert "_Not shared with you._" in document


def test_fences_outgrow_the_backticks_in_the_text():
    assert closing_record.inline("plain") == "` plain `"
    assert closing_record.inline("a `b` c") == "`` a `b` c ``"
    assert closing_record.inline("   ") == "_None._"
    assert closing_record.block("x ```` y").startswith("`````text\n")
    assert closing_record.block("x ```` y").endswith("\n`````")


def test_a_shared_report_and_checkpoint_counts():
    report = ReportText(AT, ("Weekly report in SQL",), "Steady", "Reads query plans", "")
    held = (
        closing_record.CheckpointLine("Checkpoint 1", AT, "done"),
        closing_record.CheckpointLine("Checkpoint 2", AT + timedelta(days=14), "missed"),
    )
    document = closing_record.render(record(report=report, checkpoints=held))
    assert "1 kept, 1 missed." in document
    assert "02 Mar 2026 10:00: ` Checkpoint 1 `, kept" in document
    assert "Reads query plans" in document and "Not shared with you" not in document


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def set_statuses(services, statuses):
    with services.database.transaction() as session:
        found = sorted(session.exec(select(Checkpoint)).all(), key=lambda c: c.due_at)
        for checkpoint, status in zip(found, statuses, strict=False):
            checkpoint.status = status
            session.add(checkpoint)


def md_files(emulator, user_id):
    channel = emulator.dm_channel(user_id)
    return [
        f["content"].decode()
        for f in emulator.files()
        if f.get("channel") == channel and str(f["name"]).endswith(".md")
    ]


def test_the_protege_receives_their_record_at_closure(driver, emulator, services, clock):
    kofi, dot = actor(driver, emulator, KOFI), actor(driver, emulator, DOT)
    channel = match(kofi, dot, kind="coach", need="Better SQL", manager=PRIYA, topics="SQL")
    view_id = start_agreement(kofi, channel)
    for step in ("scope", "style", "confidentiality", "schedule", "expectations", "plan"):
        answers = dict(STEP_ANSWERS[step])
        if step == "scope":
            answers["goals"] = TRICKY
        if step == "schedule":
            answers["end_date"] = (clock.current.date() + timedelta(days=60)).isoformat()
        if step == "plan":
            answers["due_1"] = None
        fill_step(kofi, view_id, step, answers)
    for person in (kofi, dot):
        person.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    wait_for(lambda: len(rows(services, Checkpoint)) >= 2, timeout=20)
    set_statuses(services, ["done", "missed"])
    for person, text, sharing in (
        (kofi, "Kofi keeps this to himself", []),
        (dot, "Dot shares this one", ["partner"]),
        (dot, "Dot keeps this one", []),
    ):
        form = person.open_modal("/mentoring", "reflect")
        person.submit(form, {ids.REFLECT_LEARNED: text, ids.REFLECT_SHARING: sharing})
    kofi.submit(kofi.open_modal("/mentoring", f"thanks <@{DOT}|d> for the reviews"), {})
    dot.submit(dot.open_modal("/mentoring", f"thanks <@{KOFI}|k> for the questions"), {})

    kofi.submit(kofi.open_modal("/mentoring", "end"), {ids.END_REASON: "goals_met"})
    first = wait_for(lambda: md_files(emulator, KOFI), timeout=20)[0]
    assert TRICKY in first
    for expected in (
        "# Your coaching record",
        "It ended because the goals were met.",
        "Weekly report in SQL",
        "Use The Index, Luke",
        "1 kept, 1 missed.",
        "Kofi keeps this to himself",
        "Dot shares this one",
        "for the reviews",
        "for the questions",
        "_Not shared with you._",
    ):
        assert expected in first, expected
    assert "Dot keeps this one" not in first
    assert md_files(emulator, DOT) == []
    assert any("your record of this relationship" in s.text for s in emulator.seen(KOFI))

    before = dot.modal_ids()
    dot.click_in_message(ids.REPORT_OPEN)
    dot.submit(
        dot.new_modal(before),
        {ids.REPORT_LEARNED: "Kofi reads query plans", ids.REPORT_SHARE: ["learners"]},
    )
    updated = wait_for(
        lambda: len(md_files(emulator, KOFI)) == 2 and md_files(emulator, KOFI), timeout=20
    )
    assert "Kofi reads query plans" in updated[1]
    assert "Not shared with you" not in updated[1]


def test_each_learner_of_a_group_gets_their_own_record(driver, emulator, services, clock):
    with services.database.transaction() as session:
        known = {}
        for user in (DOT, KOFI, ELODIE):
            person = people.seen(session, team_id="T0EMULATOR", slack_user_id=user, at=AT)
            people.update_profile(session, person, display_name=user, tz="Europe/London")
            known[user] = Known(person.id or 0, user, user, "Europe/London")
        group = relationships.start_group(
            session,
            team_id="T0EMULATOR",
            kind="group_coaching",
            topic="SQL",
            guide_id=known[DOT].id,
            learner_ids=[known[KOFI].id, known[ELODIE].id],
            at=AT,
        )
        relationship_id = group.id
    for author, text, share in (
        (KOFI, "Kofi private note", False),
        (ELODIE, "Elodie private note", False),
        (ELODIE, "Elodie shared note", True),
        (DOT, "Dot shared note", True),
    ):
        reflections.save(
            services,
            team_id="T0EMULATOR",
            user_id=author,
            relationship_id=relationship_id,
            checkpoint_id=None,
            learned=text,
            next_step=None,
            usefulness=None,
            share_with_partner=share,
            count_in_reports=False,
        )
    appreciation.send(
        services,
        known[ELODIE],
        team_id="T0EMULATOR",
        recipient=known[DOT],
        message="Elodie thanks Dot",
        public=False,
    )
    dot = actor(driver, emulator, DOT)
    dot.submit(dot.open_modal("/mentoring", "end"), {ids.END_REASON: "goals_met"})
    kofi_record = wait_for(lambda: md_files(emulator, KOFI), timeout=20)[0]
    elodie_record = wait_for(lambda: md_files(emulator, ELODIE), timeout=20)[0]
    assert "Kofi private note" in kofi_record and "Dot shared note" in kofi_record
    assert ELODIE not in kofi_record
    assert "Elodie private note" in elodie_record and "Elodie thanks Dot" in elodie_record
    assert "Kofi private note" not in elodie_record
