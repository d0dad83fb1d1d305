"""`mentorbot demo`: the whole program against the built-in Slack emulator, no tokens, no network.

It migrates a fresh SQLite database, starts the emulator and the real app (the same WSGI
endpoint production runs), drives a scripted session through the signed-request driver exactly
as Slack would, and prints what each person saw.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

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
    STEP_ANSWERS,
    TOMAS,
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
from bot.cli.wiring import build_services, build_web_app
from bot.config import load_settings
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.actor import Actor
from bot.emulator.render import Seen
from bot.local_server import serve_in_thread
from bot.services import Services
from handlers import ids
from handlers.slack_client import web_client
from storage.db import upgrade

DEMO_SIGNING_SECRET = "demo-signing-secret-not-for-production"
DEMO_TOKEN = "xoxb-emulator-token"
COORDINATOR_CHANNEL = "C0COORD"
FORM_LINES = 8


@dataclass
class Stage:
    """What a demo scene needs: the driver to act as people, the emulator to see the results."""

    driver: SlackDriver
    emulator: SlackEmulator
    services: Services

    def settle(self, timeout: float = 5.0) -> None:
        """Wait until the app's after-ack work has gone quiet (no new Slack calls for a moment)."""
        deadline = time.monotonic() + timeout
        count = -1
        while time.monotonic() < deadline:
            current = len(self.emulator.calls(include_failed=True))
            if current == count:
                return
            count = current
            time.sleep(0.15)

    def name(self, user_id: str) -> str:
        return self.emulator.user_name(user_id)

    def actor(self, user_id: str) -> Actor:
        return Actor(self.driver, self.emulator, user_id)


Scene = Callable[[Stage], None]


@contextmanager
def demo_stage(database_url: str | None) -> Iterator[Stage]:
    with tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'demo.db'}"
        upgrade(url)
        with SlackEmulator() as emulator:
            settings = load_settings(
                {
                    "slack_bot_token": DEMO_TOKEN,
                    "slack_signing_secret": DEMO_SIGNING_SECRET,
                    "slack_api_url": emulator.api_url,
                    "database_url": url,
                    "mentorbot_coordinator_channel": COORDINATOR_CHANNEL,
                    "mentorbot_coordinators": ",".join(emulator.coordinators()),
                },
                env_file=None,
            )
            services = build_services(settings)
            server = serve_in_thread(build_web_app(services, client=web_client(settings)))
            try:
                driver = SlackDriver(server.url + "/slack/events", DEMO_SIGNING_SECRET, emulator)
                yield Stage(driver=driver, emulator=emulator, services=services)
            finally:
                server.stop()
                services.database.dispose()


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


SCENES: list[tuple[str, Scene]] = [
    ("First contact: the Home tab, help, and a typo", scene_first_contact),
    ("Volunteers join the pool", scene_pool),
    ("Kofi needs a coach: triage, a match, and an invitation", scene_coaching_need),
    ("Siobhan declines, so Kofi is offered the next person; Dot accepts", scene_decline),
    ("Kofi and Dot agree how they will work, and both confirm", scene_contract),
    (
        "Jonah types /coach but needs a mentor; his own manager is never proposed",
        scene_mentoring_need,
    ),
    ("Nobody is free for Leilani: the coordinators assign by hand", scene_coordinators),
    ("Kofi looks at what he has going on", scene_me),
]


def print_transcript(seen: list[Seen], stage: Stage, shown: set[str], out: TextIO) -> None:
    """Print what each person saw. A form shown before is named, not printed again."""
    for item in seen:
        who = ", ".join(stage.name(user) for user in item.users) or "nobody"
        where = f" in {item.channel}" if item.channel else ""
        if item.kind == "reply":
            out.write(f"\n--- {who} filled in and submitted\n")
        elif item.kind == "modal" and item.text in shown and item.text.count("\n") > FORM_LINES:
            title = item.text.splitlines()[0].lstrip("┌ ")
            out.write(f"\n--- {who} saw the {title!r} form (as above)\n")
            continue
        else:
            article = "an" if item.kind[:1] in "aeiou" else "a"
            out.write(f"\n--- {who} saw {article} {item.kind}{where}\n")
        shown.add(item.text)
        for line in item.text.splitlines():
            out.write(f"    {line}\n")


def run_demo(*, database_url: str | None = None, out: TextIO = sys.stdout) -> int:
    with demo_stage(database_url) as stage:
        out.write("Mentorbot demo: the real app, driven through the built-in Slack emulator.\n")
        shown: set[str] = set()
        for title, scene in SCENES:
            out.write(f"\n=== {title} ===\n")
            already = len(stage.emulator.seen())
            scene(stage)
            stage.settle()
            print_transcript(stage.emulator.seen()[already:], stage, shown, out)
        failed = [call for call in stage.emulator.calls(include_failed=True) if not call.ok]
        out.write(
            f"\n=== Done: {len(stage.emulator.calls())} Slack API calls, "
            f"{len(failed)} refused ===\n"
        )
    return 0
