"""Scenes of `mentorbot demo` in which people join the pool, ask for help and are matched."""

from __future__ import annotations

import time

from bot.cli.program import (
    AMARA,
    DOT,
    JONAH,
    KOFI,
    LEILANI,
    MARCUS,
    PRIYA,
    RAFA,
    SIOBHAN,
    TOMAS,
    ask_action,
    ask_for,
    choose,
    decline,
    offered,
    volunteer,
)
from bot.cli.stage import COORDINATOR_CHANNEL, Stage
from handlers import ids


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
