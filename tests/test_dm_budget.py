"""The nudge budget: the pure rule, and the gate through signed requests and the emulator.

The 26-week simulation is tests/test_dm_budget_simulation.py."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot import dm_budget, dm_gate
from bot.cli.program import actor
from bot.dm_budget import Candidate, PersonState, decide
from bot.emulator.actor import wait_for
from handlers import announce, ids
from handlers.blocks import notice
from handlers.slack_client import outbox_client, web_client
from handlers.sweeps import send_nudges
from storage.models import BotDm, Nudge, Person
from tests.conftest import TEAM_ID
from tests.support import eventually, seed_pair

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
DOT, KOFI, HANA = "U0DOROTHEA01", "U0KOFI01", "U0HANA01"
PRIVATE = "my-secret-note-7f3a"


# -- the pure rule ---------------------------------------------------------------------------


def test_routine_messages_due_together_are_merged_and_leave_the_last_place_free():
    state = PersonState(budget=3)
    waiting = [Candidate(1, "before"), Candidate(2, "assess"), Candidate(3, "pulse")]
    assert {v.action for v in decide(state, [], waiting, T0)} == {"digest"}
    one_sent = [T0 - timedelta(days=1)]
    assert [v.action for v in decide(state, one_sent, [Candidate(1, "before")], T0)] == ["send"]
    # Two in the window: reminders wait, an invitation someone is waiting on still goes.
    two_sent = [T0 - timedelta(days=5), T0 - timedelta(days=1)]
    (later,) = decide(state, two_sent, [Candidate(1, "before")], T0)
    assert (later.action, later.until) == ("defer", two_sent[0] + dm_budget.WINDOW)
    assert [v.action for v in decide(state, two_sent, [Candidate(1, "invitation")], T0)] == ["send"]


def test_a_full_window_defers_high_priority_and_drops_what_would_be_stale_or_low():
    state = PersonState(budget=3)
    full = [T0 - timedelta(days=6), T0 - timedelta(days=3), T0 - timedelta(hours=1)]
    verdicts = {
        v.key: v
        for v in decide(
            state,
            full,
            [
                Candidate(1, "invitation"),
                Candidate(2, "before", useful_until=T0 + timedelta(hours=3)),
                Candidate(3, "assess", useful_until=T0 + timedelta(days=7)),
                Candidate(4, "pulse"),
            ],
            T0,
        )
    }
    assert (verdicts[1].action, verdicts[1].until) == ("defer", full[0] + dm_budget.WINDOW)
    assert verdicts[2].action == "drop"
    # Routine may use only two places: it waits until two of the three have aged out.
    assert (verdicts[3].action, verdicts[3].until) == ("defer", full[1] + dm_budget.WINDOW)
    assert verdicts[4].action == "drop"


def test_pause_stop_and_mute_decide_in_the_same_place():
    until = T0 + timedelta(weeks=2)
    paused = PersonState(budget=3, paused_until=until)
    verdicts = decide(paused, [], [Candidate(1, "request_update"), Candidate(2, "assess")], T0)
    assert [(v.action, v.until, v.reason) for v in verdicts] == [
        ("defer", until, "paused"),
        ("drop", None, "paused"),
    ]
    stopped = PersonState(budget=3, stopped=True)
    verdicts = decide(stopped, [], [Candidate(1, "thanks"), Candidate(2, "before")], T0)
    assert [v.action for v in verdicts] == ["send", "drop"]
    muted = PersonState(budget=3, muted=True)
    verdicts = decide(muted, [], [Candidate(1, "before"), Candidate(2, "assess")], T0)
    assert {v.key: v.action for v in verdicts} == {1: "drop", 2: "send"}
    with pytest.raises(ValueError, match="PRIORITIES"):
        dm_budget.priority_of("newsletter")


def test_no_sequence_of_decisions_ever_exceeds_the_budget():
    """Random arrivals over a year, every verdict applied: no 7 days hold more than the budget."""
    kinds = list(dm_budget.PRIORITIES)
    for seed in range(40):
        rng = random.Random(seed)
        budget = rng.randint(1, 5)
        state = PersonState(budget=budget)
        sent: list[datetime] = []
        queue: list[tuple[datetime, Candidate]] = []
        now = T0
        for step in range(400):
            now += timedelta(hours=rng.choice([1, 3, 7, 20]))
            for _ in range(rng.randint(0, 3)):
                useful = now + timedelta(days=rng.randint(1, 14))
                queue.append((now, Candidate(step * 10 + _, rng.choice(kinds), useful)))
            due = [c for at, c in queue if at <= now]
            queue = [(at, c) for at, c in queue if at > now]
            verdicts = decide(state, sent, due, now)
            by_key = {c.key: c for c in due}
            if any(v.action == "digest" for v in verdicts):
                sent.append(now)
            for verdict in verdicts:
                if verdict.action == "send":
                    sent.append(now)
                elif verdict.action == "defer":
                    assert verdict.until is not None and verdict.until > now
                    queue.append((verdict.until, by_key[verdict.key]))
            window = [at for at in sent if now - dm_budget.WINDOW < at <= now]
            assert len(window) <= budget, (seed, step)


def test_ignored_in_a_row():
    assert dm_budget.ignored_in_a_row([False, False, False, True], 3)
    assert not dm_budget.ignored_in_a_row([False, True, False], 3)
    assert not dm_budget.ignored_in_a_row([False, False], 3)
    assert not dm_budget.ignored_in_a_row([False, False, False], 0)


# -- through Slack ---------------------------------------------------------------------------


def _rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def _person(services, slack_id):
    """The person's row (written just after the ack of their first command, so waited for)."""

    def found():
        with services.database.reading() as session:
            return session.exec(select(Person).where(Person.slack_user_id == slack_id)).first()

    return eventually(found)


def _dms(emulator, user):
    channel = "D" + user[1:]
    return [c for c in emulator.calls("chat.postMessage") if c.params.get("channel") == channel]


def test_pause_and_resume_through_slack(services, clock, driver, emulator):
    kofi = actor(driver, emulator, KOFI)
    for bad in ("99", "abc", "-1", "0"):
        assert (
            "whole number of weeks from 1 to 12" in kofi.command("/mentoring", f"pause {bad}").text
        )
    # His name and zone (Chicago) are looked up after the first command's ack.
    assert eventually(lambda: _person(services, KOFI).display_name)
    assert _person(services, KOFI).paused_until is None
    clock.current = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
    assert "Paused" in kofi.command("/mentoring", "pause").text
    assert _person(services, KOFI).paused_until == clock.current + timedelta(weeks=2)
    assert "Paused until" in str(kofi.command("/mentoring", "me").json())
    due = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "America/Chicago"),
        due=[due, due + timedelta(weeks=3)],
    )
    outbox = outbox_client(services.settings)
    send_nudges(outbox, services, worker="t", now=clock.current)
    for hour in (9, 14):  # 09:00 in London, then in Chicago
        send_nudges(outbox, services, worker="t", now=datetime(2026, 3, 27, hour, tzinfo=UTC))
    assert _dms(emulator, DOT) and not _dms(emulator, KOFI)
    skipped = [n for n in _rows(services, Nudge) if n.person_id == _person(services, KOFI).id]
    assert [(n.kind, n.status, n.last_error) for n in skipped] == [("before", "skipped", "paused")]
    # A thank-you (someone waiting) is not lost: it waits for the end of the pause.
    client = web_client(services.settings)
    text = "Thanks!"
    assert (
        announce.dm(
            client,
            services,
            team_id=TEAM_ID,
            user_id=KOFI,
            kind="thanks",
            text=text,
            blocks=notice(text),
        )
        is None
    )
    waiting = [n for n in _rows(services, Nudge) if n.kind == "thanks"]
    # The pause ends at 07:00 in Chicago: it goes at his working morning, 09:00.
    assert [n.send_at for n in waiting] == [datetime(2026, 4, 8, 14, 0, tzinfo=UTC)]
    clock.current += timedelta(days=3)
    assert "Welcome back" in kofi.command("/mentoring", "resume").text
    assert "already on" in kofi.command("/mentoring", "resume").text
    assert _person(services, KOFI).paused_until is None
    # The thank-you goes at its time; reminders are back too.
    send_nudges(outbox, services, worker="t", now=waiting[0].send_at + timedelta(minutes=1))
    assert _dms(emulator, KOFI)[0].params["text"] == "Thanks!"
    send_nudges(outbox, services, worker="t", now=datetime(2026, 4, 17, 14, 30, tzinfo=UTC))
    assert _dms(emulator, KOFI)[-1].params["text"] == "Checkpoint coming up."


def test_ignored_nudges_stop_and_tell_the_coordinators_then_any_click_resumes(
    services, clock, driver, emulator
):
    assert services.settings.mentorbot_ignored_nudges == 3
    first = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # Tuesdays, a week apart
    _, checkpoint_ids = seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[first + timedelta(weeks=k) for k in range(6)],
    )
    from bot import checkpoints as checkpoint_actions

    # Dorothea says how each went, with a private note; Kofi answers nothing.
    outbox = outbox_client(services.settings)
    answered: set[int] = set()
    for day in range(33):
        for hour in (9, 15):
            now = datetime(2026, 3, 2, hour, 0, tzinfo=UTC) + timedelta(days=day)
            clock.current = now
            send_nudges(outbox, services, worker="t", now=now)
            for n, checkpoint_id in enumerate(checkpoint_ids):
                if first + timedelta(weeks=n) < now and checkpoint_id not in answered:
                    answered.add(checkpoint_id)
                    dm_gate.heard_from(services, team_id=TEAM_ID, user_id=DOT)  # as a click does
                    for call in (checkpoint_actions.assess, checkpoint_actions.add_note):
                        extra = (
                            {"progress": "on_track"}
                            if call is checkpoint_actions.assess
                            else {"note": PRIVATE}
                        )
                        call(
                            services,
                            team_id=TEAM_ID,
                            user_id=DOT,
                            checkpoint_id=checkpoint_id,
                            **extra,
                        )
        if _person(services, KOFI).nudges_stopped_at is not None:
            break
    kofi_person = _person(services, KOFI)
    assert kofi_person.nudges_stopped_at is not None
    send_nudges(outbox, services, worker="t", now=clock.current + timedelta(minutes=5))
    kofi_texts = [c.params["text"] for c in _dms(emulator, KOFI)]
    assert kofi_texts.count("I've stopped sending you reminders.") == 1
    assert len(kofi_texts) == 4  # three unanswered nudges, then how to resume
    told = [c for c in emulator.calls("chat.postMessage") if c.params.get("channel") == "C0COORD"]
    assert len(told) == 1, [(c.params["text"], c.params.get("metadata")) for c in told]
    assert f"<@{KOFI}>" in str(told[0].params) and "The last 3" in str(told[0].params)
    assert PRIVATE not in str(told[0].params) and "Checkpoint" not in str(told[0].params)
    # Later nudges are not sent while stopped.
    clock.current += timedelta(days=8)
    send_nudges(outbox, services, worker="t", now=clock.current)
    assert len(_dms(emulator, KOFI)) == 4
    stopped = [
        n for n in _rows(services, Nudge) if n.person_id == kofi_person.id and n.status == "skipped"
    ]
    assert any(n.last_error == "stopped: nudges ignored" for n in stopped)
    me = actor(driver, emulator, KOFI).command("/mentoring", "me")
    assert "Reminders are stopped" in str(me.json())
    # Any click resumes: Kofi presses a button on an old reminder.
    kofi = actor(driver, emulator, KOFI)
    kofi.click_in_message(ids.NUDGE_SNOOZE)
    wait_for(lambda: _person(services, KOFI).nudges_stopped_at is None)
    assert all(
        row.answered_at is not None
        for row in _rows(services, BotDm)
        if row.needs_answer and row.person_id == kofi_person.id
    )


def test_nudges_due_together_go_as_one_digest_whose_buttons_answer_beside_it(
    services, clock, driver, emulator
):
    due = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    _, (first,) = seed_pair(services.database, guide=(DOT, "UTC"), learner=(KOFI, "UTC"), due=[due])
    _, (second,) = seed_pair(
        services.database, guide=(HANA, "UTC"), learner=(KOFI, "UTC"), due=[due]
    )
    outbox = outbox_client(services.settings)
    lines = send_nudges(outbox, services, worker="t", now=datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    (digest,) = _dms(emulator, KOFI)
    assert digest.params["text"] == "2 things from Mentorbot, in one message."
    assert sum(1 for line in lines if line.outcome == "sent merged (2 in one DM)") == 2
    ((row,),) = [[r for r in _rows(services, BotDm) if r.person_id == _person(services, KOFI).id]]
    assert (row.kind, row.items) == ("merged", 2)
    # "Done" on the first item marks that checkpoint only and leaves the digest in place.
    kofi = actor(driver, emulator, KOFI)
    before = kofi.latest_message_with(ids.NUDGE_DONE)
    kofi.click_in_message(ids.NUDGE_DONE)
    wait_for(lambda: any("Marked as done" in m.get("text", "") for m in emulator.ephemerals(KOFI)))
    assert emulator.message(kofi.dm_channel(), before["ts"])["blocks"] == before["blocks"]
    with services.database.reading() as session:
        from storage.models import Checkpoint

        statuses = {c.id: c.status for c in session.exec(select(Checkpoint)).all()}
    assert statuses == {first: "done", second: "scheduled"}
