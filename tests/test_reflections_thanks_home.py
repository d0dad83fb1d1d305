"""Reflections, thanks and shout-outs, App Home, closure and the mentor's report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.cli.program import DOT, KOFI, PRIYA, actor, match
from bot.emulator import check_view
from bot.emulator.actor import wait_for
from handlers import ids
from storage.models import Appreciation, MentorReport, Reflection, Relationship
from tests.support import seed_pair


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


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


def reflect(person, values):
    view_id = person.open_modal("/mentoring", "reflect")
    return person.submit(view_id, values)


def test_a_private_reflection_stays_with_its_author(pair, emulator, services, driver):
    kofi, _, _ = pair
    response = reflect(
        kofi, {ids.REFLECT_LEARNED: "PRIVATE-MARKER-5521 joins are hard", ids.REFLECT_USEFUL: "4"}
    )
    assert response.json()["response_action"] == "update"
    saved = rows(services, Reflection)
    assert len(saved) == 1
    assert saved[0].usefulness == 4
    assert not saved[0].shared_with_partner
    driver.event({"type": "app_home_opened", "user": DOT, "tab": "home"})
    driver.event({"type": "app_home_opened", "user": KOFI, "tab": "home"})
    wait_for(lambda: emulator.home(DOT) and emulator.home(KOFI))
    wait_for(lambda: "PRIVATE-MARKER-5521" in str(emulator.home(KOFI)))
    assert "PRIVATE-MARKER-5521" not in str(emulator.home(DOT))
    assert all("PRIVATE-MARKER-5521" not in s.text for s in emulator.seen(DOT))


def test_a_shared_reflection_reaches_the_partner(pair, emulator, services):
    kofi, _, _ = pair
    reflect(
        kofi,
        {ids.REFLECT_LEARNED: "Window functions clicked today", ids.REFLECT_SHARING: ["partner"]},
    )
    wait_for(lambda: any("Window functions clicked" in s.text for s in emulator.seen(DOT)))
    assert rows(services, Reflection)[0].shared_with_partner


def test_reflection_needs_what_was_learned(pair):
    kofi, _, _ = pair
    response = reflect(kofi, {ids.REFLECT_LEARNED: "  "})
    assert ids.REFLECT_LEARNED in response.json()["errors"]


def _thank(person, text, public=False, recipient=DOT):
    view_id = person.open_modal("/mentoring", f"thanks <@{recipient}|x> {text}")
    values: dict[str, object] = {ids.THANKS_MESSAGE: text}
    if public:
        values[ids.THANKS_PUBLIC] = ["public"]
    return person.submit(view_id, values)


@pytest.fixture
def shoutout_settings(services):
    services.settings.mentorbot_shoutout_channel = "C0COORD"
    return services


def test_thanks_with_a_shout_out_pings_nobody(pair, emulator, services, shoutout_settings):
    kofi, _, _ = pair
    response = _thank(kofi, "<!channel> <@U0AMARA01> <!here> thanks for the SQL help!", public=True)
    assert response.json()["response_action"] == "update"
    posts = wait_for(
        lambda: [
            c for c in emulator.calls("chat.postMessage") if c.params.get("channel") == "C0COORD"
        ]
    )
    dm = wait_for(lambda: [s for s in emulator.seen(DOT) if "says thank you" in s.text])
    for text in [str(p.params) for p in posts] + [str(emulator.calls("chat.postMessage"))]:
        assert "<!channel>" not in text
        assert "<!here>" not in text
        assert "<@U0AMARA01>" not in text
    assert "&lt;!channel&gt;" in str(posts[0].params)
    assert dm
    assert rows(services, Appreciation)[0].public


def test_opting_out_keeps_thanks_private(pair, emulator, services, shoutout_settings):
    kofi, dot, _ = pair
    assert "nobody can post a public shout-out" in dot.command("/mentoring", "shoutouts off").text
    response = _thank(kofi, "Thank you for the reviews", public=True)
    assert "prefer not to be shouted out" in str(response.json())
    assert not [
        c for c in emulator.calls("chat.postMessage") if c.params.get("channel") == "C0COORD"
    ]
    assert not rows(services, Appreciation)[0].public


def test_thanks_needs_a_message_and_someone_else(pair):
    kofi, _, _ = pair
    assert ids.THANKS_MESSAGE in _thank(kofi, "").json()["errors"]
    assert ids.THANKS_TO in _thank(kofi, "Me!", recipient=KOFI).json()["errors"]


def test_ending_asks_for_reflection_thanks_and_the_report(pair, emulator, services, driver):
    kofi, dot, _ = pair
    view_id = kofi.open_modal("/mentoring", "end")
    response = kofi.submit(view_id, {ids.END_REASON: "goals_met"})
    assert response.json()["response_action"] == "clear"
    closed = wait_for(lambda: rows(services, Relationship)[0].status == "closed")
    assert closed
    learner = kofi.latest_message_with(ids.THANKS_OPEN)
    assert "goals were met" in str(learner)
    dot.latest_message_with(ids.REPORT_OPEN)
    before = dot.modal_ids()
    dot.click_in_message(ids.REPORT_OPEN)
    form = dot.new_modal(before)
    response = dot.submit(form, {ids.REPORT_LEARNED: ""})
    assert ids.REPORT_LEARNED in response.json()["errors"]
    response = dot.submit(
        form,
        {
            ids.REPORT_LEARNED: "Kofi now writes his own queries",
            ids.REPORT_RECOMMENDATIONS: "A data modelling course",
            ids.REPORT_SHARE: ["learners"],
        },
    )
    assert response.json()["response_action"] == "update"
    assert rows(services, MentorReport)[0].learned == "Kofi now writes his own queries"
    wait_for(lambda: any("writes his own queries" in s.text for s in emulator.seen(KOFI)))
    again = kofi.command("/mentoring", "end")
    assert "no active relationship" in again.text


def test_only_the_guide_writes_the_report(pair, emulator, driver):
    kofi, _, _ = pair
    view_id = kofi.open_modal("/mentoring", "end")
    kofi.submit(view_id, {ids.END_REASON: "not_working"})
    message = actor(driver, emulator, DOT).latest_message_with(ids.REPORT_OPEN)
    value = next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.REPORT_OPEN
    )
    driver.click(
        KOFI,
        ids.REPORT_OPEN,
        value,
        block_id="ended_actions",
        message=(emulator.dm_channel(DOT), message["ts"]),
    )
    wait_for(lambda: any("Only the mentor or coach" in s.text for s in emulator.seen(KOFI)))


def test_home_for_twenty_relationships_stays_within_block_kit_limits(
    services, driver, emulator, clock
):
    now = clock.current
    for n in range(20):
        learner = f"U0LEARNER{n:02d}"
        seed_pair(
            services.database,
            guide=(DOT, "Europe/London"),
            learner=(learner, "America/New_York"),
            due=[now + timedelta(days=7 + n)],
            at=now - timedelta(days=1),
        )
    driver.event({"type": "app_home_opened", "user": DOT, "tab": "home"})
    home = wait_for(lambda: emulator.home(DOT))
    assert check_view(home) is None
    assert len(home["blocks"]) <= 100
    refused = [c for c in emulator.calls("views.publish", include_failed=True) if not c.ok]
    assert refused == []
    assert str(home).count("Next checkpoint") == 20
