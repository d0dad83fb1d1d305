"""Pool preferences and leaving, through signed requests: `/mentoring offer avoid|allow` (a
private list every matcher respects) and `/mentoring leave` (everything wound down kindly)."""

from __future__ import annotations

from sqlmodel import select

from bot.cli.program import (
    DOT,
    ELODIE,
    HANA,
    KOFI,
    MARCUS,
    PRIYA,
    RAFA,
    SIOBHAN,
    TOMAS,
    actor,
    ask_action,
    ask_for,
    choose,
    match,
    offered,
    volunteer,
)
from bot.emulator.actor import wait_for
from bot.emulator.driver import find_action
from handlers import ids
from storage.models import (
    Invitation,
    MentoringRequest,
    Offer,
    PoolExclusion,
    Relationship,
)
from tests.support import snapshot


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def context_texts(view) -> str:
    return " ".join(
        str(e.get("text"))
        for b in view.get("blocks") or []
        if b.get("type") == "context"
        for e in b.get("elements") or []
    )


def test_the_avoid_list_is_kept_private_and_shown_in_the_offer_form(driver, emulator, services):
    dot = actor(driver, emulator, DOT)
    volunteer(dot, roles=["coach"], topics="SQL")
    answer = dot.command("/mentoring", f"offer avoid <@{KOFI}|kofi> <@{ELODIE}|elodie> <@{KOFI}>")
    assert f"<@{KOFI}>, <@{ELODIE}>" in answer.text
    assert "Only you see this list" in answer.text
    assert (answer.as_message() or {}).get("response_type") != "in_channel"
    assert len(rows(services, PoolExclusion)) == 2
    dot.command("/mentoring", f"offer avoid <@{KOFI}|kofi>")
    assert len(rows(services, PoolExclusion)) == 2  # already on it: still once

    assert "Mention the people" in dot.command("/mentoring", "offer avoid").text
    assert "Mention the people" in dot.command("/mentoring", f"offer avoid <@{DOT}|me>").text
    form = emulator.view(dot.open_modal("/mentoring", "offer"))
    assert f"<@{KOFI}>, <@{ELODIE}>" in context_texts(form)

    left = dot.command("/mentoring", f"offer allow <@{ELODIE}|elodie>").text
    assert f"<@{KOFI}>" in left and ELODIE not in left
    assert "Nobody you mentioned" in dot.command("/mentoring", f"offer allow <@{HANA}|h>").text
    assert "keeps them out" in dot.command("/mentoring", f"offer allow <@{KOFI}|k>").text
    assert rows(services, PoolExclusion) == []
    assert ELODIE not in str(emulator.seen(KOFI)) and ELODIE not in str(emulator.seen(ELODIE))


def test_nobody_is_ever_paired_with_someone_who_avoids_them(driver, emulator, services):
    dot, siobhan, kofi = (actor(driver, emulator, u) for u in (DOT, SIOBHAN, KOFI))
    volunteer(dot, roles=["coach"], topics="SQL and reporting")
    volunteer(siobhan, roles=["coach"], topics="SQL and statistics")
    dot.command("/mentoring", f"offer avoid <@{KOFI}|kofi>")

    view_id = ask_for(
        kofi, "/coach", need="SQL for reporting", manager=PRIYA, scope="specific_skill"
    )
    shown = offered(choose(kofi, view_id, "coach"))
    assert shown == [SIOBHAN]
    # Hana, whom Dot does not avoid, is offered Dot for the same need.
    hana = actor(driver, emulator, HANA)
    hana_view = ask_for(
        hana, "/coach", need="SQL for reporting", manager=PRIYA, scope="specific_skill"
    )
    assert DOT in offered(choose(hana, hana_view, "coach"))

    siobhan.command("/mentoring", "offer pause")
    elodie = actor(driver, emulator, ELODIE)
    dot.command("/mentoring", f"offer avoid <@{ELODIE}|elodie>")
    queued = ask_for(
        elodie, "/coach", need="SQL for reporting", manager=PRIYA, scope="specific_skill"
    )
    assert offered(choose(elodie, queued, "coach")) == []  # Dot avoids her, Siobhan paused
    marcus = actor(driver, emulator, MARCUS)
    before = marcus.modal_ids()
    marcus.click_in_message(ids.QUEUE_ASSIGN, channel="C0COORD")
    response = marcus.submit(marcus.new_modal(before), {ids.ASSIGN_PERSON: DOT})
    error = response.json()["errors"][ids.ASSIGN_PERSON]
    assert "is not available for this request" in error
    assert "avoid" not in error.lower()
    assert not [i for i in rows(services, Invitation) if i.person_id == _person_id(services, DOT)]

    proposal = str(
        driver.command(MARCUS, "/mentoring", "cohort", channel_id="C0COORD").as_message()
    )
    # Elodie's request waits; Dot has free places and fits, but is never proposed to her.
    assert "1 request(s) are waiting but nobody eligible has a free place" in proposal
    dot.command("/mentoring", f"offer allow <@{ELODIE}|elodie>")
    proposal = str(
        driver.command(MARCUS, "/mentoring", "cohort", channel_id="C0COORD").as_message()
    )
    assert f"<@{ELODIE}> ← <@{DOT}>" in proposal


def click_ephemeral(driver, emulator, user_id: str, action_id: str) -> None:
    """Press a button in the latest ephemeral reply that offers it (a command's answer)."""
    message = next(
        m
        for m in reversed(emulator.ephemerals(user_id))
        if find_action(m.get("blocks") or [], action_id)
    )
    driver.click(user_id, action_id, message=(str(message["channel"]), str(message["ts"])))


def _person_id(services, slack_id: str) -> int:
    from storage import people

    with services.database.reading() as session:
        person = people.by_slack_id(session, team_id="T0EMULATOR", slack_user_id=slack_id)
        assert person is not None and person.id is not None
        return person.id


def test_leave_winds_everything_down_kindly_and_deletes_nothing(driver, emulator, services):
    dot, kofi, hana, rafa = (actor(driver, emulator, u) for u in (DOT, KOFI, HANA, RAFA))
    match(kofi, dot, kind="coach", need="Better SQL", manager=PRIYA, topics="SQL and reporting")
    volunteer(actor(driver, emulator, SIOBHAN), roles=["coach"], topics="SQL and statistics")
    hana_view = ask_for(hana, "/coach", need="SQL reporting", manager=PRIYA, scope="specific_skill")
    hana.click_in_view(hana_view, ask_action(choose(hana, hana_view, "coach"), DOT))
    dot.latest_message_with(ids.INVITE_ACCEPT)
    volunteer(rafa, roles=["mentor"], topics="Career growth and leadership")
    dot_view = ask_for(dot, "/mentor", need="Career growth", manager=TOMAS, scope="broad_direction")
    dot.click_in_view(dot_view, ask_action(choose(dot, dot_view, "mentor"), RAFA))
    rafa.latest_message_with(ids.INVITE_ACCEPT)

    answer = dot.command("/mentoring", "leave")
    for change in ("offer", "1 open request is cancelled", "1 invitation is declined", "closed"):
        assert change in answer.text, change
    before = snapshot(services.database)
    click_ephemeral(driver, emulator, DOT, ids.LEAVE_CANCEL)
    assert snapshot(services.database) == before
    counts = {table: len(found) for table, found in before.items()}

    dot.command("/mentoring", "leave")
    click_ephemeral(driver, emulator, DOT, ids.LEAVE_CONFIRM)
    relationship = wait_for(
        lambda: next((r for r in rows(services, Relationship) if r.status == "closed"), None),
        timeout=20,
    )
    assert relationship.end_reason == "left_program"
    offer = next(o for o in rows(services, Offer) if o.person_id == _person_id(services, DOT))
    assert offer.status == "withdrawn"
    mine = [
        r for r in rows(services, MentoringRequest) if r.requester_id == _person_id(services, DOT)
    ]
    assert [r.status for r in mine] == ["cancelled"]
    declined = [i for i in rows(services, Invitation) if i.person_id == _person_id(services, DOT)]
    assert {i.status for i in declined} == {"accepted", "declined"}

    wait_for(
        lambda: any("has left the mentoring program" in s.text for s in emulator.seen(KOFI)),
        timeout=20,
    )
    wait_for(
        lambda: any("can't take this on right now" in s.text for s in emulator.seen(HANA)),
        timeout=20,
    )
    wait_for(lambda: any("withdrawn" in s.text for s in emulator.seen(RAFA)), timeout=20)
    record = wait_for(
        lambda: [f for f in emulator.files() if str(f["name"]).endswith(".md") and f["channel"]],
        timeout=20,
    )
    assert KOFI in emulator.channel_members(str(record[0]["channel"]))
    dot_dm = emulator.messages(dot.dm_channel())
    assert not any(find_action(m.get("blocks") or [], ids.REPORT_OPEN) for m in dot_dm)
    assert any("You have left the mentoring program" in s.text for s in emulator.seen(DOT))

    after = {table: len(found) for table, found in snapshot(services.database).items()}
    assert all(after[table] >= n for table, n in counts.items()), "something was deleted"
    assert "nothing to leave" in dot.command("/mentoring", "leave").text
