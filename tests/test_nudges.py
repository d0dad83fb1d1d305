"""The clock's rules with a controlled clock: when nudges go, what is skipped, and exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot import checkpoints as checkpoint_actions
from bot import nudge_messages, nudge_plan
from bot.emulator.actor import wait_for
from handlers import ids
from handlers.nudge_sender import EVENT_TYPE, SlackNudgeSender
from handlers.slack_client import outbox_client
from handlers.sweeps import flag_at_risk, send_nudges
from storage.models import Checkpoint, Nudge, Person
from tests.support import eventually, seed_pair

UTC = UTC
DOT, KOFI, HANA, JONAH = "U0DOROTHEA01", "U0KOFI01", "U0HANA01", "U0JONAH01"


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


@pytest.fixture
def outbox(services):
    return outbox_client(services.settings)


def nudge_posts(emulator, nudge_id=None):
    found = []
    for call in emulator.calls("chat.postMessage"):
        metadata = call.params.get("metadata") or {}
        if isinstance(metadata, str):
            import json

            metadata = json.loads(metadata)
        if metadata.get("event_type") == EVENT_TYPE and (
            nudge_id is None or metadata["event_payload"]["nudge_id"] == nudge_id
        ):
            found.append(call)
    return found


def test_reminders_go_the_working_morning_before_in_each_persons_zone(services, clock):
    monday_after_uk_change = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[monday_after_uk_change],
    )
    seed_pair(
        services.database,
        guide=(HANA, "Australia/Sydney"),
        learner=(JONAH, "Europe/London"),
        due=[datetime(2026, 4, 6, 23, 0, tzinfo=UTC)],
    )
    clock.current = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
    assert nudge_plan.plan(services, now=clock.current) == 4
    by_person = {}
    with services.database.reading() as session:
        from storage.models import Person

        for nudge in session.exec(select(Nudge)).all():
            person = session.get(Person, nudge.person_id)
            by_person[person.slack_user_id] = nudge.send_at.astimezone(ZoneInfo(person.tz))
    # Monday 30 March 16:00 London (BST since the 29th): Friday 27th 09:00 GMT.
    assert by_person[DOT].strftime("%a %d %H:%M %Z") == "Fri 27 09:00 GMT"
    # 11:00 in New York (EDT since the 8th): Friday 27th 09:00 EDT.
    assert by_person[KOFI].strftime("%a %d %H:%M %Z") == "Fri 27 09:00 EDT"
    # 6 April 23:00 UTC is Tuesday 7th 09:00 in Sydney (AEST since the 5th): Monday 6th 09:00.
    assert by_person[HANA].strftime("%a %d %H:%M %Z") == "Mon 06 09:00 AEST"
    # Tuesday 7th 00:00 in London (BST): the working morning before is Monday 6th.
    assert by_person[JONAH].strftime("%a %d %H:%M %Z") == "Mon 06 09:00 BST"
    assert nudge_plan.plan(services, now=clock.current) == 0


def test_a_late_catch_up_waits_for_the_morning_and_is_sent_once(services, clock, emulator, outbox):
    checkpoint = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)  # Monday 11:00 in New York
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[checkpoint],
    )
    nudge_plan.plan(services, now=datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    # The clock was down from Friday morning; it comes back at 02:00 on Saturday in New York.
    saturday_night = datetime(2026, 3, 28, 6, 0, tzinfo=UTC)
    lines = send_nudges(outbox, services, worker="a", now=saturday_night)
    outcomes = {line.to: line.outcome for line in lines}
    assert outcomes[KOFI].startswith("later: 2026-03-30 13:00")  # Monday 09:00 EDT
    assert outcomes[DOT].startswith("later: 2026-03-30 08:00")  # Monday 09:00 BST
    assert not nudge_posts(emulator)
    monday = datetime(2026, 3, 30, 13, 0, tzinfo=UTC)
    send_nudges(outbox, services, worker="a", now=monday)
    assert len(nudge_posts(emulator)) == 2
    send_nudges(outbox, services, worker="b", now=monday + timedelta(minutes=5))
    assert len(nudge_posts(emulator)) == 2
    assert {n.status for n in rows(services, Nudge)} == {"sent"}


def test_a_reminder_after_the_checkpoint_is_stale(services, clock, emulator, outbox):
    checkpoint = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[checkpoint],
    )
    nudge_plan.plan(services, now=datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    lines = send_nudges(outbox, services, worker="a", now=checkpoint + timedelta(hours=1))
    befores = [line for line in lines if line.kind == "before"]
    assert {line.outcome for line in befores} == {"skipped: stale"}
    assert all("How did" in str(call.params) for call in nudge_posts(emulator))


def test_moving_a_checkpoint_replaces_its_reminder(services, clock, emulator, outbox):
    due = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    _, (checkpoint_id,) = seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[due],
    )
    clock.current = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
    nudge_plan.plan(services, now=clock.current)
    checkpoint_actions.move(
        services, team_id="T0EMULATOR", user_id=KOFI, checkpoint_id=checkpoint_id, day="2026-04-02"
    )
    nudge_plan.plan(services, now=clock.current)
    lines = send_nudges(outbox, services, worker="a", now=datetime(2026, 3, 27, 13, 30, tzinfo=UTC))
    old = [line for line in lines if "moved" in line.outcome]
    assert len(old) == 2
    moved = rows(services, Checkpoint)[0].due_at
    assert moved.date().isoformat() == "2026-04-02"
    fresh = [n for n in rows(services, Nudge) if n.checkpoint_due_at == moved]
    assert len(fresh) == 2
    assert all(n.status == "pending" for n in fresh)


def test_snooze_reminds_again_a_working_day_later(services, clock):
    due = datetime(2026, 4, 2, 15, 0, tzinfo=UTC)  # Thursday
    _, (checkpoint_id,) = seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[due],
    )
    clock.current = datetime(2026, 3, 27, 14, 0, tzinfo=UTC)  # Friday morning in New York
    again = nudge_plan.plan_snooze(
        services, team_id="T0EMULATOR", user_id=KOFI, checkpoint_id=checkpoint_id
    )
    local = again.astimezone(ZoneInfo("America/New_York"))
    assert local.strftime("%a %H:%M") == "Mon 10:00"
    clock.current = datetime(2026, 4, 1, 20, 0, tzinfo=UTC)
    from bot.errors import StaleAction

    with pytest.raises(StaleAction):
        nudge_plan.plan_snooze(
            services, team_id="T0EMULATOR", user_id=KOFI, checkpoint_id=checkpoint_id
        )


def test_a_missed_checkpoint_gets_one_follow_up(services, clock, emulator, outbox):
    due = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[due],
    )
    wednesday = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    send_nudges(outbox, services, worker="a", now=wednesday)  # two working days not yet over
    assert rows(services, Checkpoint)[0].status == "scheduled"
    thursday = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    send_nudges(outbox, services, worker="a", now=thursday)
    assert rows(services, Checkpoint)[0].status == "missed"
    follow_ups = [n for n in rows(services, Nudge) if n.kind == "missed"]
    assert len(follow_ups) == 2
    for later in (thursday + timedelta(hours=2), thursday + timedelta(days=1)):
        send_nudges(outbox, services, worker="a", now=later)
    kinds = [c.params.get("text") for c in nudge_posts(emulator)]
    assert kinds.count("We didn't hear how your checkpoint went.") == 2


def test_blocked_is_flagged_once_to_coordinators_without_private_text(
    services, clock, emulator, outbox
):
    due = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    _, (first, _second) = seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[due, due + timedelta(days=14)],
    )
    clock.current = due + timedelta(hours=2)
    checkpoint_actions.assess(
        services, team_id="T0EMULATOR", user_id=KOFI, checkpoint_id=first, progress="blocked"
    )
    checkpoint_actions.add_note(
        services,
        team_id="T0EMULATOR",
        user_id=KOFI,
        checkpoint_id=first,
        note="SECRET-NOTE-4471 my manager",
    )
    assert flag_at_risk(services, now=clock.current) == 1
    assert flag_at_risk(services, now=clock.current + timedelta(hours=1)) == 0
    send_nudges(outbox, services, worker="a", now=clock.current)
    posts = [c for c in nudge_posts(emulator) if c.params.get("channel") == "C0COORD"]
    assert len(posts) == 1
    text = str(posts[0].params)
    assert "reported being blocked" in text
    assert "SECRET-NOTE-4471" not in text


def test_two_misses_in_a_row_are_flagged(services, clock, emulator, outbox):
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[start, start + timedelta(days=7), start + timedelta(days=28)],
    )
    later = start + timedelta(days=12)
    send_nudges(outbox, services, worker="a", now=later)
    ordered = sorted(rows(services, Checkpoint), key=lambda c: c.due_at)
    assert [c.status for c in ordered][:2] == ["missed", "missed"]
    flag_at_risk(services, now=later)
    send_nudges(outbox, services, worker="a", now=later)
    posts = [c for c in nudge_posts(emulator) if c.params.get("channel") == "C0COORD"]
    assert len(posts) == 1
    assert "2 checkpoints in a row" in str(posts[0].params)


def test_a_crash_after_posting_never_posts_twice(services, clock, emulator, outbox):
    due = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[due],
    )
    nudge_plan.plan(services, now=datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    now = datetime(2026, 3, 27, 13, 0, tzinfo=UTC)  # Friday 09:00 in New York
    target = next(n for n in rows(services, Nudge) if n.send_at <= now)
    # Worker A claims and posts, then dies before it can record the send.
    with services.database.transaction() as session:
        from storage import nudges as nudge_rows

        claimed = nudge_rows.claim(
            session, nudge_id=target.id, worker="A", now=now, until=now + timedelta(seconds=120)
        )
        assert claimed is not None
        message = nudge_messages.message_of(session, claimed)
    SlackNudgeSender(outbox).send(message)
    # Worker B comes along after the lease has run out.
    later = now + timedelta(minutes=3)
    lines = send_nudges(outbox, services, worker="B", now=later)
    assert any(line.nudge_id == target.id and line.outcome == "sent" for line in lines)
    assert len(nudge_posts(emulator, target.id)) == 1


def test_slack_errors_are_retried_with_backoff(services, clock, emulator, outbox):
    due = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[due],
    )
    nudge_plan.plan(services, now=datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    now = datetime(2026, 3, 27, 13, 0, tzinfo=UTC)
    emulator.set_faults(rate_5xx=1.0, methods={"chat.postMessage"})
    lines = send_nudges(outbox, services, worker="a", now=now)
    assert lines
    assert all(line.outcome.startswith("retry") for line in lines)
    emulator.set_faults()
    assert send_nudges(outbox, services, worker="a", now=now + timedelta(seconds=5)) == []
    send_nudges(outbox, services, worker="a", now=now + timedelta(minutes=2))
    assert len(nudge_posts(emulator)) == 2


def test_reminder_buttons_through_slack(services, clock, emulator, outbox, driver):
    due = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    _, (checkpoint_id,) = seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[due],
    )
    clock.current = datetime(2026, 3, 27, 13, 0, tzinfo=UTC)
    send_nudges(outbox, services, worker="a", now=datetime(2026, 3, 27, 13, 30, tzinfo=UTC))
    from bot.cli.program import actor

    kofi = actor(driver, emulator, KOFI)
    message = kofi.latest_message_with(ids.NUDGE_SNOOZE)
    assert "Checkpoint coming up" in str(message)
    kofi.click_in_message(ids.NUDGE_SNOOZE)
    wait_for(lambda: any("remind you again" in s.text for s in emulator.seen(KOFI)))
    kofi.click_in_message(ids.NUDGE_DONE)
    wait_for(lambda: rows(services, Checkpoint)[0].status == "done")
    clock.current = due + timedelta(hours=2)
    nudge_plan.plan(services, now=clock.current)
    assert not [n for n in rows(services, Nudge) if n.kind == "assess" and n.status == "sent"]
    assert checkpoint_id


def test_muted_people_get_only_the_essential_question(services, clock, driver, emulator):
    from bot.cli.program import actor

    kofi = actor(driver, emulator, KOFI)
    assert "only get the essential" in kofi.command("/mentoring", "mute").text
    # His name and zone (Chicago) are looked up after the command's ack: let that land first.
    eventually(lambda: "Kofi" in str(rows(services, Person)))
    due = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/Chicago"),
        due=[due],
    )
    outbox = outbox_client(services.settings)
    send_nudges(outbox, services, worker="a", now=datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    send_nudges(outbox, services, worker="a", now=datetime(2026, 3, 27, 14, 0, tzinfo=UTC))
    send_nudges(outbox, services, worker="a", now=due + timedelta(hours=3))
    with services.database.reading() as session:
        kofi_id = session.exec(select(Person.id).where(Person.slack_user_id == KOFI)).one()
    # The one gate decides: the reminder is dropped as muted, the question still goes.
    outcomes = sorted(
        (n.kind, n.status, n.last_error or "")
        for n in rows(services, Nudge)
        if n.person_id == kofi_id
    )
    assert outcomes == [("assess", "sent", ""), ("before", "skipped", "muted")]
    kofi_dms = [c for c in nudge_posts(emulator) if c.params["channel"] == "D" + KOFI[1:]]
    assert [c.params["text"] for c in kofi_dms] == ["How did your checkpoint go?"]
    assert "back on" in kofi.command("/mentoring", "unmute").text


def test_send_due_by_hand_from_the_command_line(services, settings, emulator, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    due = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/New_York"),
        due=[due],
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_", "DATABASE_URL"))
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-emulator-token",
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=settings.database_url,
        MENTORBOT_DIGEST="off",
    )
    mentorbot = str(Path(sys.executable).parent / "mentorbot")

    def send_due(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [mentorbot, "nudges", "send-due", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    planned = send_due("--now", "2026-03-25T12:00:00+00:00")
    assert planned.returncode == 0, planned.stderr
    dry = send_due("--now", "2026-03-27T13:30:00+00:00", "--dry-run")
    assert "would send" in dry.stdout
    assert not nudge_posts(emulator)
    real = send_due("--now", "2026-03-27T13:30:00+00:00")
    assert "before to U0KOFI01: sent" in real.stdout
    assert len(nudge_posts(emulator)) == 2
    bad = send_due("--now", "yesterday")
    assert bad.returncode == 2
    assert "ISO" in bad.stderr


def test_long_relationships_owe_a_periodic_report(services, clock, emulator, outbox):
    from handlers.sweeps import flag_at_risk

    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[clock.current + timedelta(days=5)],
        at=clock.current - timedelta(days=200),
    )
    flag_at_risk(services)
    flag_at_risk(services, now=clock.current + timedelta(hours=3))
    reports = [n for n in rows(services, Nudge) if n.kind == "report_due"]
    assert len(reports) == 1
    send_nudges(outbox, services, worker="t")
    posted = [c for c in nudge_posts(emulator) if "periodic report" in str(c.params)]
    assert len(posted) == 1
    assert ids.REPORT_OPEN in str(posted[0].params)
