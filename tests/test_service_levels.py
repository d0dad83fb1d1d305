"""Request service levels through signed requests and the emulator: the acknowledgement, the
age in working days, one escalation per request (whatever the number of clocks), the queue and
the median time to match in `/mentoring status`, and stage-stuck agreement alerts."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.cli.program import DOT, KOFI, MARCUS, PRIYA, actor, ask_action, ask_for, choose, volunteer
from bot.emulator.actor import wait_for
from bot.workdays import add_working_days, working_days_between
from handlers import ids
from handlers.slack_client import outbox_client
from handlers.sweeps import flag_at_risk, flag_stuck_stages, send_nudges
from storage.models import Checkpoint, MentoringRequest, Nudge, Relationship
from tests.support import seed_pair

COORD = "C0COORD"
NEED = "NEED-MARKER-3318 I need to write much better SQL for the weekly reports"
SUMMARY = "Coaching on SQL for reports"


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def metadata(call):
    found = call.params.get("metadata") or {}
    return json.loads(found) if isinstance(found, str) else found


def posts(emulator, kind):
    return [
        call
        for call in emulator.calls("chat.postMessage")
        if (metadata(call).get("event_payload") or {}).get("kind") == kind
    ]


@pytest.fixture
def asked(driver, emulator, clock):
    """Kofi asks for a coach on Monday 2 March 09:00 UTC and asks Dot, who does not answer."""
    volunteer(actor(driver, emulator, DOT), roles=["coach"], topics="SQL, reporting")
    kofi = actor(driver, emulator, KOFI)
    view_id = ask_for(
        kofi, "/coach", need=NEED, manager=PRIYA, scope="specific_skill", summary=SUMMARY
    )
    triage = str(emulator.view(view_id))
    candidates = choose(kofi, view_id, "coach")
    kofi.click_in_view(view_id, ask_action(candidates, DOT))
    wait_for(lambda: emulator.view(view_id)["title"]["text"] == "Request sent")
    return kofi, view_id, triage


def test_a_request_is_acknowledged_at_once_with_when_they_will_hear(asked, emulator):
    _, view_id, triage = asked
    assert "Received: your request is saved." in triage
    # The service level's date: two working days after Monday 2 March.
    stamp = int(datetime(2026, 3, 4, 9, 0, tzinfo=UTC).timestamp())
    assert f"<!date^{stamp}^" in triage
    assert "program coordinators step in" in triage
    sent = str(emulator.view(view_id))
    assert "They have until" in sent and "/mentoring me" in sent


def test_the_age_is_counted_in_working_days(asked, driver, clock):
    clock.current = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # the next Monday
    me = driver.command(KOFI, "/mentoring", "me")
    assert "waiting 5 working days" in str(me.as_message())


def test_not_escalated_before_its_service_level(asked, services, clock, emulator):
    clock.current = datetime(2026, 3, 4, 8, 59, tzinfo=UTC)
    assert flag_stuck_stages(services, now=clock.current) == 0
    assert rows(services, Nudge) == []


def test_escalated_once_with_two_clocks_then_cancelled_from_the_dm(
    asked, services, clock, emulator, driver
):
    kofi, _, _ = asked
    clock.current = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    outbox = outbox_client(services.settings)
    # Two clocks sweep at the same moment, and again a little later.
    planned = [flag_stuck_stages(services, now=clock.current) for _ in range(2)]
    assert planned == [2, 0]
    for worker in ("clock-a", "clock-b"):
        send_nudges(outbox, services, worker=worker, now=clock.current)
    assert len(posts(emulator, "request_overdue")) == 1
    # Kofi is in Chicago: his DM waits for his working morning (09:00 CST is 15:00 UTC).
    assert not posts(emulator, "request_waiting")
    later = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    assert flag_stuck_stages(services, now=later) == 0
    for worker in ("clock-a", "clock-b"):
        send_nudges(outbox, services, worker=worker, now=later)

    to_coordinators = posts(emulator, "request_overdue")
    to_kofi = posts(emulator, "request_waiting")
    assert len(to_coordinators) == 1 and len(to_kofi) == 1
    coordinator_post = str(to_coordinators[0].params)
    assert to_coordinators[0].params["channel"] == COORD
    assert f"<@{KOFI}> has waited 2 working days" in coordinator_post
    assert SUMMARY in coordinator_post
    assert f"They asked <@{DOT}> and are waiting for an answer" in coordinator_post
    assert ids.QUEUE_ASSIGN in coordinator_post
    assert "NEED-MARKER-3318" not in coordinator_post

    dm = kofi.latest_message_with(ids.REQUEST_CANCEL)
    text = str(dm["blocks"])
    assert "still open and nobody has accepted it yet" in text
    assert f"still waiting for <@{DOT}>'s answer" in text
    assert "asked the program coordinators" in text
    assert "`/coach`" in text
    with services.database.reading() as session:
        (request,) = session.exec(select(MentoringRequest)).all()
        assert request.escalated_at == datetime(2026, 3, 4, 9, 30, tzinfo=UTC)

    kofi.click_in_message(ids.REQUEST_CANCEL)
    wait_for(lambda: rows(services, MentoringRequest)[0].status == "cancelled")
    assert flag_stuck_stages(services, now=later + timedelta(days=7)) == 0


def test_a_request_matched_before_sending_is_not_escalated_aloud(
    asked, services, clock, emulator, driver
):
    clock.current = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    assert flag_stuck_stages(services, now=clock.current) == 2
    actor(driver, emulator, DOT).click_in_message(ids.INVITE_ACCEPT)
    wait_for(lambda: rows(services, MentoringRequest)[0].status == "matched")
    lines = send_nudges(
        outbox_client(services.settings),
        services,
        worker="a",
        now=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )
    outcomes = {line.kind: line.outcome for line in lines}
    assert outcomes["request_overdue"] == "skipped: the request was matched or cancelled"
    assert outcomes["request_waiting"] == "skipped: the request was matched or cancelled"
    assert not posts(emulator, "request_overdue") and not posts(emulator, "request_waiting")


def test_status_shows_the_queue_and_the_median_time_to_match(
    asked, services, clock, emulator, driver
):
    clock.current = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    flag_stuck_stages(services, now=clock.current)
    shown = str(driver.command(MARCUS, "/mentoring", "status", channel_id=COORD).as_message())
    assert "*Requests waiting:* 1 (oldest 3 working days, median 3 working days)" in shown
    assert f"<@{KOFI}> (coach), 3 working days: waiting for <@{DOT}>'s answer" in shown
    assert "escalated 05 Mar" in shown
    assert "NEED-MARKER-3318" not in shown and SUMMARY not in shown
    mentoring = str(
        driver.command(MARCUS, "/mentoring", "status mentoring", channel_id=COORD).as_message()
    )
    assert "*Requests waiting:* 0" in mentoring and "*Queue*" not in mentoring
    coaching = driver.command(MARCUS, "/mentoring", f"status coaching <@{KOFI}|kofi>")
    assert "*Requests waiting:* 1" in str(coaching.as_message())

    actor(driver, emulator, DOT).click_in_message(ids.INVITE_ACCEPT)
    wait_for(lambda: rows(services, MentoringRequest)[0].status == "matched")
    after = str(driver.command(MARCUS, "/mentoring", "status", channel_id=COORD).as_message())
    # Created Monday 09:00, accepted Thursday 10:00: 3 days and an hour.
    assert "median time to match 3.0 days" in after
    assert "*Requests waiting:* 0" in after


def test_an_unconfirmed_agreement_is_flagged_once(services, clock, emulator):
    started = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[],
        at=started,
    )
    assert flag_stuck_stages(services, now=started + timedelta(days=6)) == 0
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # five working days later
    assert [flag_stuck_stages(services, now=monday) for _ in range(2)] == [1, 0]
    outbox = outbox_client(services.settings)
    for worker in ("a", "b"):
        send_nudges(outbox, services, worker=worker, now=monday)
    assert flag_stuck_stages(services, now=monday + timedelta(days=3)) == 0
    (post,) = posts(emulator, "agreement_stuck")
    text = str(post.params)
    assert post.params["channel"] == COORD
    assert "An agreement is taking a while" in text
    assert "5 working days ago" in text and "Nobody has started the agreement" in text


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    hours=st.integers(min_value=0, max_value=24 * 400),
    tz=st.sampled_from(["UTC", "Europe/London", "America/New_York", "Australia/Sydney"]),
)
def test_working_days_between_inverts_add_working_days(start, hours, tz):
    zone = ZoneInfo(tz)
    end = start + timedelta(hours=hours)
    days = working_days_between(start, end, zone)
    assert days >= 0
    assert days == 0 or add_working_days(start, days, zone) <= end
    assert add_working_days(start, days + 1, zone) > end


def test_no_checkpoint_ahead_is_the_at_risk_alert_posted_once(services, emulator):
    """The third stage-stuck alert is risk's nothing_ahead: posted once per at-risk episode by
    the at-risk sweep, never a second time by the stage sweep."""
    started = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    relationship_id, made = seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[datetime(2026, 2, 2, 10, 0, tzinfo=UTC), datetime(2026, 2, 16, 10, 0, tzinfo=UTC)],
        at=started,
    )
    with services.database.transaction() as session:
        for checkpoint_id in made:
            checkpoint = session.get(Checkpoint, checkpoint_id)
            assert checkpoint is not None
            checkpoint.status = "done"
            session.add(checkpoint)
        relationship = session.get(Relationship, relationship_id)
        assert relationship is not None
        relationship.last_activity_at = datetime(2026, 2, 27, 9, 0, tzinfo=UTC)
        session.add(relationship)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert [flag_at_risk(services, now=now) for _ in range(2)] == [1, 0]
    flag_stuck_stages(services, now=now)
    outbox = outbox_client(services.settings)
    for worker in ("a", "b"):
        send_nudges(outbox, services, worker=worker, now=now)
    (alert,) = posts(emulator, "at_risk")
    assert "No further checkpoints are scheduled." in str(alert.params)
    assert {n.kind for n in rows(services, Nudge)} == {"at_risk", "agreement_stuck"}


def test_assigning_from_the_escalation_waits_for_the_pending_answer(
    asked, services, clock, emulator, driver
):
    clock.current = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    flag_stuck_stages(services, now=clock.current)
    send_nudges(outbox_client(services.settings), services, worker="a", now=clock.current)
    marcus = actor(driver, emulator, MARCUS)
    before = marcus.modal_ids()
    marcus.click_in_message(ids.QUEUE_ASSIGN, channel=COORD)
    answer = marcus.submit(marcus.new_modal(before), {ids.ASSIGN_PERSON: "U0TOMAS01"})
    assert "already asked and has not answered yet" in str(answer.json())


def test_two_clocks_sweeping_at_once_escalate_once(asked, services, clock):
    clock.current = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    barrier = threading.Barrier(2)
    planned: list[int] = []

    def sweep() -> None:
        barrier.wait()
        planned.append(flag_stuck_stages(services, now=clock.current))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(planned) == [0, 2]
    assert sorted(n.dedupe_key for n in rows(services, Nudge)) == [
        "request_overdue:1",
        "request_waiting:1",
    ]
