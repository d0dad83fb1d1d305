"""`/mentoring cohort`: an optimal proposal for the whole intake, sent only when approved."""

from __future__ import annotations

from sqlmodel import select

from bot.cli.program import (
    DOT,
    ELODIE,
    HANA,
    JONAH,
    KOFI,
    MARCUS,
    PRIYA,
    RAFA,
    SIOBHAN,
    TOMAS,
    actor,
    ask_for,
    volunteer,
)
from bot.emulator.actor import wait_for
from handlers import ids
from storage.models import AuditEvent, Invitation


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def test_cohort_proposes_then_sends_on_approval(driver, emulator, services):
    volunteer(actor(driver, emulator, DOT), roles=["coach"], topics="SQL and data modelling")
    volunteer(actor(driver, emulator, RAFA), roles=["mentor"], topics="Career growth, leadership")
    volunteer(actor(driver, emulator, SIOBHAN), roles=["coach"], topics="Statistics, SQL")
    ask_for(
        actor(driver, emulator, KOFI),
        "/coach",
        need="Better SQL",
        manager=PRIYA,
        scope="specific_skill",
    )
    ask_for(
        actor(driver, emulator, JONAH),
        "/mentor",
        need="Career direction",
        manager=TOMAS,
        scope="broad_direction",
    )
    ask_for(
        actor(driver, emulator, ELODIE),
        "/coach",
        need="Statistics for A/B tests",
        manager=PRIYA,
        scope="specific_skill",
    )
    ask_for(
        actor(driver, emulator, HANA),
        "/mentor",
        need="Leadership",
        manager=PRIYA,
        scope="broad_direction",
    )
    refused = driver.command(KOFI, "/mentoring", "cohort")
    assert "Only program coordinators" in refused.text
    answer = driver.command(MARCUS, "/mentoring", "cohort", channel_id="C0COORD").as_message()
    shown = str(answer)
    assert "4 pairing(s), 0 unmatched" in shown
    assert not rows(services, Invitation)
    posted = emulator.messages("C0COORD")[-1]
    driver.click(MARCUS, ids.COHORT_APPROVE, message=("C0COORD", posted["ts"]))
    invited = wait_for(lambda: len(rows(services, Invitation)) == 4 and rows(services, Invitation))
    assert {i.assigned_by for i in invited} == {MARCUS}
    wait_for(lambda: any(e.action == "cohort.approve" for e in rows(services, AuditEvent)))
    for guide in (DOT, RAFA, SIOBHAN):
        actor(driver, emulator, guide).latest_message_with(ids.INVITE_ACCEPT)
    again = driver.click(
        MARCUS,
        ids.COHORT_APPROVE,
        "stale-fingerprint",
        message=("C0COORD", posted["ts"]),
        block_id="cohort_actions",
    )
    assert again.status == 200
    wait_for(lambda: any("changed since this proposal" in s.text for s in emulator.seen(MARCUS)))


def test_coaching_groups_from_the_intake(driver, emulator, services):
    from storage.models import Relationship, RelationshipMember

    volunteer(
        actor(driver, emulator, DOT),
        roles=["coach"],
        topics="SQL, reporting",
        formats=["group", "one_to_one"],
        capacity=2,
    )
    for user in (KOFI, ELODIE, HANA, JONAH):
        ask_for(
            actor(driver, emulator, user),
            "/coach",
            need="Write SQL for our reports",
            manager=PRIYA if user != JONAH else TOMAS,
            scope="specific_skill",
        )
    assert "size from 2 to 12" in driver.command(MARCUS, "/mentoring", "cohort groups 40").text
    shown = driver.command(
        MARCUS, "/mentoring", "cohort groups 4", channel_id="C0COORD"
    ).as_message()
    assert "1 group(s) of up to 4" in str(shown)
    posted = emulator.messages("C0COORD")[-1]
    driver.click(MARCUS, ids.COHORT_GROUPS_APPROVE, message=("C0COORD", posted["ts"]))
    made = wait_for(lambda: rows(services, Relationship))
    assert [r.kind for r in made] == ["group_coaching"]
    assert len(rows(services, RelationshipMember)) == 5
    wait_for(
        lambda: any(
            ids.AGREEMENT_START in str(c.params) for c in emulator.calls("chat.postMessage")
        )
    )
