"""Asking for a mentor or coach, end to end through signed requests and the emulator."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.cli.program import (
    AMARA,
    DOT,
    HANA,
    JONAH,
    KOFI,
    MARCUS,
    RAFA,
    SIOBHAN,
    TOMAS,
    actor,
    ask_action,
    ask_for,
    choose,
    decline,
    offered,
    request_values,
    volunteer,
)
from bot.emulator.actor import wait_for
from handlers import ids
from handlers.slack_client import web_client
from handlers.sweeps import expire_invitations
from storage.models import AuditEvent, Invitation, MentoringRequest, Relationship
from tests.support import snapshot


@pytest.fixture
def pool(driver, emulator):
    """Five volunteers; Tomás is Jonah's manager, Amara is Tomás's."""
    volunteer(
        actor(driver, emulator, DOT),
        roles=["coach", "mentor"],
        topics="SQL, data modelling, code review and public speaking",
    )
    volunteer(
        actor(driver, emulator, RAFA),
        roles=["mentor"],
        topics="Career growth, moving from engineer to engineering manager, leadership",
    )
    volunteer(
        actor(driver, emulator, TOMAS),
        roles=["mentor", "coach"],
        topics="Engineering management, leadership, career direction, people management",
    )
    volunteer(
        actor(driver, emulator, SIOBHAN),
        roles=["coach", "mentor"],
        topics="SQL, statistics, machine learning, presenting data to executives",
    )
    volunteer(
        actor(driver, emulator, HANA),
        roles=["mentor"],
        topics="Product design and changing careers into design",
    )


def _rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def test_command_opens_the_form_prefilled(driver, emulator):
    jonah = actor(driver, emulator, JONAH)
    view_id = jonah.open_modal("/mentor", "I want to move into product management")
    view = emulator.view(view_id)
    need = next(b for b in view["blocks"] if b.get("block_id") == ids.REQUEST_NEED)
    assert need["element"]["initial_value"] == "I want to move into product management"
    assert view["title"]["text"] == "Find a mentor"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"need": "", "manager": TOMAS}, ids.REQUEST_NEED),
        ({"need": "   \u200b  ", "manager": TOMAS}, ids.REQUEST_NEED),
        ({"need": "x" * 2001, "manager": TOMAS}, ids.REQUEST_NEED),
        ({"need": "Better SQL", "manager": JONAH}, ids.REQUEST_MANAGER),
        ({"need": "Better SQL", "manager": TOMAS, "summary": "s" * 151}, ids.REQUEST_SUMMARY),
    ],
)
def test_bad_answers_come_back_inline_and_store_nothing(answers, field, driver, emulator, services):
    jonah = actor(driver, emulator, JONAH)
    view_id = jonah.open_modal("/coach")
    before = _rows(services, MentoringRequest)
    response = jonah.submit(view_id, request_values(**answers))
    body = response.json()
    assert body["response_action"] == "errors"
    assert field in body["errors"]
    assert _rows(services, MentoringRequest) == before


def test_missing_manager_is_an_inline_error(driver, emulator):
    jonah = actor(driver, emulator, JONAH)
    view_id = jonah.open_modal("/coach")
    values = request_values(need="Better SQL", manager=TOMAS)
    values.pop(ids.REQUEST_MANAGER)
    response = jonah.submit(view_id, values)
    assert ids.REQUEST_MANAGER in response.json()["errors"]


def test_triage_says_when_the_answers_point_the_other_way(driver, emulator):
    jonah = actor(driver, emulator, JONAH)
    view_id = ask_for(
        jonah,
        "/coach",
        need="I keep wondering what my career should look "
        "like in five years and whether I should move into management",
        manager=TOMAS,
        scope="broad_direction",
        drivers=["career_enhancement"],
    )
    view = emulator.view(view_id)
    text = " ".join(b.get("text", {}).get("text", "") for b in view["blocks"])
    assert "suggest a mentor" in text
    assert "You asked for a coach" in text
    buttons = {
        e["action_id"]: e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert buttons[ids.REQUEST_CHOOSE_MENTOR].get("style") == "primary"
    assert ids.REQUEST_CHOOSE_COACH in buttons


def test_a_mentor_is_never_in_the_line_of_authority(pool, driver, emulator):
    jonah = actor(driver, emulator, JONAH)
    view_id = ask_for(
        jonah,
        "/mentor",
        need="Should I move into engineering management? "
        "I want to think through leadership and my career direction",
        manager=TOMAS,
        scope="broad_direction",
    )
    shown = offered(choose(jonah, view_id, "mentor"))
    assert shown
    assert TOMAS not in shown
    assert AMARA not in shown
    assert JONAH not in shown


def test_a_coach_may_be_the_manager(pool, driver, emulator):
    jonah = actor(driver, emulator, JONAH)
    view_id = ask_for(
        jonah,
        "/coach",
        need="Get better at people management and leadership in my current team",
        manager=TOMAS,
        scope="specific_skill",
    )
    assert TOMAS in offered(choose(jonah, view_id, "coach"))


def test_accepting_twice_or_on_retry_makes_one_relationship(pool, driver, emulator, services):
    kofi = actor(driver, emulator, KOFI)
    view_id = ask_for(
        kofi,
        "/coach",
        need="I need to write much better SQL for our reports",
        manager="U0PRIYA01",
        scope="specific_skill",
    )
    candidates = choose(kofi, view_id, "coach")
    assert offered(candidates)[0] in (DOT, SIOBHAN)
    kofi.click_in_view(view_id, ask_action(candidates, DOT))
    dot = actor(driver, emulator, DOT)
    invitation = dot.latest_message_with(ids.INVITE_ACCEPT)
    assert "write much better SQL" in invitation["blocks"][0]["text"]["text"]
    wait_for(lambda: emulator.view(view_id)["title"]["text"] == "Request sent")

    ts = invitation["ts"]
    channel = dot.dm_channel()
    value = invitation["blocks"][-1]["elements"][0]["value"]

    def click_accept(retry: bool = False):
        # A double click sends the same button twice, even after the message was updated.
        return driver.click(
            DOT, ids.INVITE_ACCEPT, value, block_id="invite_answer", message=(channel, ts)
        )

    first = click_accept()
    again = click_accept()
    assert first.status == again.status == 200
    wait_for(lambda: _rows(services, Relationship))
    wait_for(lambda: any("said yes" in s.text for s in emulator.seen(KOFI)))
    assert len(_rows(services, Relationship)) == 1
    assert _rows(services, MentoringRequest)[0].status == "matched"
    wait_for(lambda: any("already accepted" in s.text for s in emulator.seen(DOT)))
    updated = emulator.message(channel, ts)
    assert "You accepted" in updated["blocks"][0]["text"]["text"]


def test_concurrent_accepts_make_one_relationship(pool, driver, emulator, services):
    kofi = actor(driver, emulator, KOFI)
    view_id = ask_for(
        kofi, "/coach", need="Better SQL for reports", manager="U0PRIYA01", scope="specific_skill"
    )
    kofi.click_in_view(view_id, ask_action(choose(kofi, view_id, "coach"), SIOBHAN))
    siobhan = actor(driver, emulator, SIOBHAN)
    message = siobhan.latest_message_with(ids.INVITE_ACCEPT)
    channel = siobhan.dm_channel()
    value = message["blocks"][-1]["elements"][0]["value"]
    threads = [
        threading.Thread(
            target=driver.click,
            args=(SIOBHAN, ids.INVITE_ACCEPT, value),
            kwargs={"message": (channel, message["ts"]), "block_id": "invite_answer"},
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_for(lambda: _rows(services, Relationship))
    wait_for(lambda: len([s for s in emulator.seen(SIOBHAN) if "already accepted" in s.text]) == 5)
    assert len(_rows(services, Relationship)) == 1


def test_decline_offers_the_next_then_the_coordinators_who_assign_by_hand(
    pool, driver, emulator, services
):
    kofi = actor(driver, emulator, KOFI)
    private_need = "Quietly: I want help writing SQL for the quarterly board pack"
    view_id = ask_for(
        kofi,
        "/coach",
        need=private_need,
        manager="U0PRIYA01",
        scope="specific_skill",
        summary="Coaching on SQL",
    )
    first = choose(kofi, view_id, "coach")
    everyone = offered(first)
    kofi.click_in_view(view_id, ask_action(first, everyone[0]))
    decline(actor(driver, emulator, everyone[0]), reason="Snowed under this quarter")

    kofi_dm = kofi.dm_channel()
    asked = [everyone[0]]

    handled: set[str] = set()

    def fresh_update():
        for message in emulator.messages(kofi_dm):
            if "can't take this on" in str(message) and message["ts"] not in handled:
                return message
        return None

    while True:
        update = wait_for(fresh_update)
        handled.add(update["ts"])
        nexts = offered(update)
        assert not set(nexts) & set(asked)
        if not nexts:
            break
        driver.click(KOFI, ask_action(update, nexts[0]), message=(kofi_dm, update["ts"]))
        asked.append(nexts[0])
        decline(actor(driver, emulator, nexts[0]))

    queue = wait_for(lambda: emulator.messages("C0COORD"))
    posted = " ".join(b.get("text", {}).get("text", "") for b in queue[0]["blocks"])
    assert "Coaching on SQL" in posted
    assert "board pack" not in posted
    assert len(queue) == 1

    jonah = actor(driver, emulator, JONAH)
    jonah.click_in_message(ids.QUEUE_ASSIGN, channel="C0COORD")
    wait_for(lambda: any("Only program coordinators" in s.text for s in emulator.seen(JONAH)))
    audit = _rows(services, AuditEvent)
    assert any(e.action == "refused.assign" and e.actor_slack_id == JONAH for e in audit)

    marcus = actor(driver, emulator, MARCUS)
    before = marcus.modal_ids()
    marcus.click_in_message(ids.QUEUE_ASSIGN, channel="C0COORD")
    form = marcus.new_modal(before)
    response = marcus.submit(form, {ids.ASSIGN_PERSON: RAFA})
    assert response.status == 200
    actor(driver, emulator, RAFA).latest_message_with(ids.INVITE_ACCEPT)
    assert any(e.action == "assign.by_hand" for e in _rows(services, AuditEvent))


def test_coordinator_cannot_assign_a_mentor_from_the_line_of_authority(driver, emulator, services):
    # Tomás once named Amara as his manager, so the data knows Jonah's whole chain.
    ask_for(
        actor(driver, emulator, TOMAS),
        "/coach",
        need="Delegation",
        manager=AMARA,
        scope="specific_skill",
    )
    jonah = actor(driver, emulator, JONAH)
    view_id = ask_for(
        jonah,
        "/mentor",
        need="Where should my career go next?",
        manager=TOMAS,
        scope="broad_direction",
    )
    choose(jonah, view_id, "mentor")  # empty pool: queued
    marcus = actor(driver, emulator, MARCUS)
    before = marcus.modal_ids()
    marcus.click_in_message(ids.QUEUE_ASSIGN, channel="C0COORD")
    form = marcus.new_modal(before)
    response = marcus.submit(form, {ids.ASSIGN_PERSON: AMARA})
    assert "line of authority" in response.json()["errors"][ids.ASSIGN_PERSON]
    assert not _rows(services, Invitation)


def test_no_answer_in_time_offers_the_next_candidate(pool, driver, emulator, services, clock):
    kofi = actor(driver, emulator, KOFI)
    view_id = ask_for(
        kofi, "/coach", need="Better SQL for reports", manager="U0PRIYA01", scope="specific_skill"
    )
    kofi.click_in_view(view_id, ask_action(choose(kofi, view_id, "coach"), DOT))
    actor(driver, emulator, DOT).latest_message_with(ids.INVITE_ACCEPT)
    client = web_client(services.settings)
    assert expire_invitations(client, services) == 0
    clock.current += timedelta(days=6)
    assert expire_invitations(client, services) == 1
    assert expire_invitations(client, services) == 0
    assert any("didn't answer in time" in s.text for s in emulator.seen(KOFI))
    assert [i.status for i in _rows(services, Invitation)] == ["expired"]


def test_cancelling_withdraws_the_pending_invitation(pool, driver, emulator, services):
    kofi = actor(driver, emulator, KOFI)
    view_id = ask_for(
        kofi, "/coach", need="Better SQL for reports", manager="U0PRIYA01", scope="specific_skill"
    )
    kofi.click_in_view(view_id, ask_action(choose(kofi, view_id, "coach"), DOT))
    dot = actor(driver, emulator, DOT)
    invitation = dot.latest_message_with(ids.INVITE_ACCEPT)
    overview = kofi.command("/mentoring", "me")
    assert "looking for someone" in overview.text
    shown = emulator.ephemerals(KOFI)[-1]
    response = driver.click(KOFI, ids.REQUEST_CANCEL, message=(shown["channel"], shown["ts"]))
    assert response.status == 200
    wait_for(lambda: _rows(services, MentoringRequest)[0].status == "cancelled")
    wait_for(lambda: "withdrawn" in str(emulator.message(dot.dm_channel(), invitation["ts"])))
    late = driver.click(
        DOT,
        ids.INVITE_ACCEPT,
        invitation["blocks"][-1]["elements"][0]["value"],
        block_id="invite_answer",
        message=(dot.dm_channel(), invitation["ts"]),
    )
    assert late.status == 200
    wait_for(lambda: any("withdrawn by the person" in s.text for s in emulator.seen(DOT)))
    assert not _rows(services, Relationship)


def test_offer_pause_resume_withdraw_and_me(driver, emulator, services):
    dot = actor(driver, emulator, DOT)
    assert "not in the pool yet" in dot.command("/mentoring", "offer pause").text
    volunteer(dot, roles=["coach"], topics="SQL")
    assert "status: paused" in dot.command("/mentoring", "offer pause").text
    assert "already paused" in dot.command("/mentoring", "offer pause").text
    assert "status: active" in dot.command("/mentoring", "offer resume").text
    assert "status: withdrawn" in dot.command("/mentoring", "offer withdraw").text
    assert "Try `/mentoring offer`" in dot.command("/mentoring", "offer sideways").text
    me = dot.command("/mentoring", "me").text
    assert "Your offer" in me


def test_offer_form_validation(driver, emulator, services):
    dot = actor(driver, emulator, DOT)
    view_id = dot.open_modal("/mentoring", "offer")
    response = dot.submit(
        view_id,
        {
            ids.OFFER_ROLES: [],
            ids.OFFER_TOPICS: "",
            ids.OFFER_CAPACITY: "99",
            ids.OFFER_FORMATS: [],
        },
    )
    errors = response.json()["errors"]
    assert set(errors) >= {ids.OFFER_ROLES, ids.OFFER_TOPICS, ids.OFFER_CAPACITY, ids.OFFER_FORMATS}


def test_me_when_new(driver, emulator):
    assert "nothing going on yet" in actor(driver, emulator, HANA).command("/mentoring", "me").text


def test_snapshot_helper_sees_changes(services, driver, emulator):
    before = snapshot(services.database)
    actor(driver, emulator, HANA).command("/mentoring", "me")
    wait_for(lambda: snapshot(services.database) != before)
