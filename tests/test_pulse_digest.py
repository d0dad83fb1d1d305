"""Pulse surveys and the coordinators' digest, through the clock and signed requests."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.cli.program import actor
from bot.emulator.actor import wait_for
from handlers import ids
from handlers.slack_client import outbox_client
from handlers.sweeps import plan_surveys_and_digest, send_nudges
from storage.models import PulseResponse
from tests.support import seed_pair

DOT, KOFI, MARCUS = "U0DOROTHEA01", "U0KOFI01", "U0MARCUS01"


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def test_pulse_survey_round_trip(services, clock, driver, emulator):
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[clock.current + timedelta(days=10)],
        at=clock.current - timedelta(days=30),
    )
    assert plan_surveys_and_digest(services) >= 2
    assert plan_surveys_and_digest(services) == 0
    send_nudges(outbox_client(services.settings), services, worker="t")
    kofi = actor(driver, emulator, KOFI)
    kofi.click_in_message(f"{ids.PULSE_RATE}_4")
    wait_for(lambda: rows(services, PulseResponse))
    before = kofi.modal_ids()
    kofi.click_in_message(ids.PULSE_SUGGEST)
    form = kofi.new_modal(before)
    assert ids.PULSE_TEXT in kofi.submit(form, {ids.PULSE_TEXT: " "}).json()["errors"]
    kofi.submit(form, {ids.PULSE_TEXT: "More cross-team pairs, please"})
    answer = rows(services, PulseResponse)[0]
    assert (answer.rating, answer.suggestion) == (4, "More cross-team pairs, please")
    shown = driver.command(MARCUS, "/mentoring", "pulse").as_message()
    assert "4.0/5" in str(shown)
    assert "More cross-team pairs" in str(shown)
    refused = driver.command(KOFI, "/mentoring", "pulse")
    assert "Only program coordinators" in refused.text


def test_digest_is_posted_once_per_period(services, clock, emulator):
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[clock.current + timedelta(days=3)],
        at=clock.current - timedelta(days=3),
    )
    plan_surveys_and_digest(services)
    plan_surveys_and_digest(services, now=clock.current + timedelta(hours=2))
    send_nudges(outbox_client(services.settings), services, worker="t")
    posts = [c for c in emulator.calls("chat.postMessage") if c.params.get("channel") == "C0COORD"]
    assert len(posts) == 1
    assert "1 active relationships" in str(posts[0].params)


def test_a_digest_planned_at_the_weekend_is_mondays_only_digest(services, clock, emulator):
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[clock.current + timedelta(days=3)],
        at=clock.current - timedelta(days=3),
    )
    saturday = clock.current + timedelta(days=5)
    assert saturday.weekday() == 5
    monday = saturday + timedelta(days=2)
    for moment in (saturday, saturday + timedelta(days=1), monday + timedelta(hours=1)):
        plan_surveys_and_digest(services, now=moment)
    clock.current = monday + timedelta(hours=3)
    send_nudges(outbox_client(services.settings), services, worker="t")
    posts = [c for c in emulator.calls("chat.postMessage") if c.params.get("channel") == "C0COORD"]
    assert len(posts) == 1
