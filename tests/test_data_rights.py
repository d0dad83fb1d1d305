"""`/mentoring my-data` and `/mentoring forget-me`, end to end through signed requests.

Kofi builds a rich history by using the app (an offer, a request, an accepted invitation, a
confirmed agreement, assessments, reflections, thanks), then asks for his data, then to be
forgotten. Afterwards no table holds his Slack id or anything he wrote, anonymous counts are
unchanged, and his partner Dot's own data is intact.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select as select_rows
from sqlmodel import SQLModel, select

from bot import erasure_rules, nudge_plan
from bot.cli.program import (
    DOT,
    ELODIE,
    HANA,
    KOFI,
    MARCUS,
    PRIYA,
    RAFA,
    STEP_ANSWERS,
    ask_action,
    ask_for,
    choose,
    decline,
    fill_step,
    match,
    offered,
    start_agreement,
    volunteer,
)
from bot.cli.program import actor as person
from bot.emulator.actor import Actor
from bot.services import SEEN_EVERY
from handlers import ids
from handlers.data_rights import EXPORT_FILENAME
from handlers.slack_client import outbox_client
from handlers.sweeps import flag_at_risk, send_nudges
from storage.models import (
    Agreement,
    Appreciation,
    Assessment,
    AuditEvent,
    Checkpoint,
    Coordinator,
    MentoringRequest,
    MentorReport,
    Nudge,
    Person,
    PlanItem,
    PulseResponse,
    Reflection,
    Relationship,
    RelationshipMember,
)
from tests.support import eventually

TEAM = "T0EMULATOR"
KOFI_MARKERS = {
    "need": "NEED-MARKER-7731",
    "offer": "OFFER-MARKER-5512",
    "goals": "SCOPE-MARKER-1187",
    "covers": "COVERS-MARKER-1188",
    "private": "PRIVATE-MARKER-2290",
    "expects": "EXPECT-MARKER-3391",
    "goal": "GOAL-MARKER-4410",
    "deliverable": "DELIV-MARKER-6621",
    "resource": "RESOURCE-MARKER-6622",
    "reflection": "REFLECT-MARKER-8832",
    "next": "NEXT-MARKER-8833",
    "counted": "COUNTED-MARKER-8834",
    "note": "ASSESS-MARKER-5120",
    "thanks": "THANKS-MARKER-7407",
    "decline": "DECLINE-MARKER-6060",
    "report": "REPORT-MARKER-3120",
    "second_need": "SECOND-NEED-MARKER-4242",
    "pulse": "PULSE-MARKER-5151",
}
DOT_SHARED = "DOT-REFLECTION-MARKER-9051"
DOT_UNSHARED = "DOT-UNSHARED-MARKER-1212"
DOT_NOTE = "DOT-PRIVATE-NOTE-6604"
DOT_THANKS = "DOT-THANKS-MARKER-7408"
DOT_PULSE = "DOT-PULSE-MARKER-5152"
COUNTED = (
    Relationship,
    RelationshipMember,
    Checkpoint,
    Reflection,
    Assessment,
    Appreciation,
    PulseResponse,
)


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


def count(services, model) -> int:
    with services.database.reading() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def kofi_row(services) -> Person | None:
    return next((p for p in rows(services, Person) if p.slack_user_id == KOFI), None)


def every_value(services) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every cell of every table, JSON included."""
    found = []
    with services.database.reading() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(select_rows(table)).mappings():
                for column, value in row.items():
                    shown = (
                        json.dumps(value, ensure_ascii=False)
                        if isinstance(value, dict | list)
                        else str(value)
                    )
                    found.append((table.name, column, shown))
    return found


def where(services, needle: str) -> list[tuple[str, str]]:
    return [(table, column) for table, column, text in every_value(services) if needle in text]


def shared_export(emulator) -> dict[str, Any]:
    """The export file, once its upload is complete and shared in a conversation."""
    for stored in emulator.files():
        if stored["name"] == EXPORT_FILENAME and stored["shared_at"] is not None:
            return dict(stored)
    return {}


def reflect(someone: Actor, learned: str, *, sharing=(), useful=None, next_step=None) -> None:
    values: dict[str, Any] = {ids.REFLECT_LEARNED: learned, ids.REFLECT_SHARING: list(sharing)}
    if useful:
        values[ids.REFLECT_USEFUL] = useful
    if next_step:
        values[ids.REFLECT_NEXT] = next_step
    response = someone.submit(someone.open_modal("/mentoring", "reflect"), values)
    assert response.json()["response_action"] == "update", response.json()


def assess_with_note(someone: Actor, answer: str, note: str) -> None:
    someone.click_in_message(answer)
    before = someone.modal_ids()
    someone.click_in_message(ids.ASSESS_NOTE)
    response = someone.submit(someone.new_modal(before), {ids.ASSESS_NOTE_TEXT: note})
    assert response.status == 200


def thank(someone: Actor, to: str, message: str) -> None:
    view_id = someone.open_modal("/mentoring", "thanks")
    response = someone.submit(view_id, {ids.THANKS_TO: to, ids.THANKS_MESSAGE: message})
    assert response.json()["response_action"] == "update", response.json()


def quiet(services, clock, someone: Actor, command: str) -> str:
    """Run a `/mentoring` command that opens a modal, and wait until the bookkeeping it does
    after the ack (remembering who used the bot) is finished, so it cannot race what follows."""
    clock.current += SEEN_EVERY  # "last seen" is due to be written again
    view_id = someone.open_modal("/mentoring", command)
    moment = clock.current
    eventually(
        lambda: (
            (found := kofi_row(services)) and found.last_seen_at == moment and found.display_name
        )
    )
    return view_id


@pytest.fixture
def history(driver, emulator, services, clock):
    """Kofi's rich history, built by using the app as people do."""
    kofi, dot = person(driver, emulator, KOFI), person(driver, emulator, DOT)
    volunteer(kofi, roles=["mentor"], topics=f"{KOFI_MARKERS['offer']} spreadsheets and finance")

    # Hana asks Kofi to mentor her; he declines with a reason.
    hana = person(driver, emulator, HANA)
    view_id = ask_for(
        hana,
        "/mentor",
        need="Moving into a finance career, spreadsheets and forecasting",
        manager=PRIYA,
        scope="broad_direction",
    )
    candidates = choose(hana, view_id, "mentor")
    assert KOFI in offered(candidates)
    hana.click_in_view(view_id, ask_action(candidates, KOFI))
    decline(kofi, reason=f"{KOFI_MARKERS['decline']} busy with month end")

    # Elodie names Kofi as her manager.
    ask_for(
        person(driver, emulator, ELODIE),
        "/coach",
        need="Better slide decks",
        manager=KOFI,
        scope="specific_skill",
    )

    # Kofi asks for a coach; Dot accepts; both fill in and confirm the agreement.
    channel = match(
        kofi,
        dot,
        kind="coach",
        need=f"{KOFI_MARKERS['need']} better SQL for our reports",
        manager=PRIYA,
        topics="SQL and data modelling",
    )
    view_id = start_agreement(kofi, channel)
    today = clock.current.date()
    answers: dict[str, dict[str, Any]] = {
        **STEP_ANSWERS,
        "scope": {"goals": KOFI_MARKERS["goals"], "covers": KOFI_MARKERS["covers"]},
        "confidentiality": {"manager_sees": ["meeting"], "private": KOFI_MARKERS["private"]},
        "schedule": {
            **STEP_ANSWERS["schedule"],
            "end_date": (today + timedelta(days=90)).isoformat(),
        },
        "expectations": {"learner": KOFI_MARKERS["expects"], "guide": "Review it beforehand"},
        "plan": {
            "goal_1": KOFI_MARKERS["goal"],
            "deliverable_1": KOFI_MARKERS["deliverable"],
            "due_1": (today + timedelta(days=40)).isoformat(),
            "resources": f"{KOFI_MARKERS['resource']}\nOur data dictionary",
            "experts": [KOFI],
        },
    }
    for step in ("scope", "style", "confidentiality", "schedule", "expectations", "plan"):
        response = fill_step(kofi, view_id, step, answers[step])
        assert response.json()["response_action"] == "update", response.json()
    kofi.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    dot.click_in_message(ids.AGREEMENT_CONFIRM, channel=channel)
    eventually(lambda: [a.status for a in rows(services, Agreement)] == ["active"])
    made = eventually(lambda: rows(services, Checkpoint))
    assert any(KOFI_MARKERS["deliverable"] in c.title for c in made)

    # The first checkpoint passes; the clock asks both how it went; they answer with notes.
    first = min(made, key=lambda c: c.due_at)
    clock.current = first.due_at + timedelta(hours=2)
    nudge_plan.plan(services, now=clock.current)
    outbox = outbox_client(services.settings)
    asks = [n for n in rows(services, Nudge) if n.kind == "assess"]
    assert len(asks) == 2
    for ask in sorted(asks, key=lambda n: n.send_at):
        send_nudges(outbox, services, worker="test", now=ask.send_at)
    clock.current = max(clock.current, *(n.send_at for n in asks))
    assess_with_note(kofi, ids.ASSESS_BLOCKED, KOFI_MARKERS["note"])
    assess_with_note(dot, ids.ASSESS_ON_TRACK, DOT_NOTE)
    eventually(
        lambda: {a.note for a in rows(services, Assessment)} == {KOFI_MARKERS["note"], DOT_NOTE}
    )
    assert flag_at_risk(services, now=clock.current) == 1  # "<@Kofi> reported being blocked"

    reflect(kofi, KOFI_MARKERS["reflection"], useful="4", next_step=KOFI_MARKERS["next"])
    reflect(kofi, KOFI_MARKERS["counted"], useful="5", sharing=["reports"])
    reflect(dot, DOT_SHARED, sharing=["partner"])
    reflect(dot, DOT_UNSHARED)
    thank(kofi, DOT, KOFI_MARKERS["thanks"])
    thank(dot, KOFI, DOT_THANKS)
    eventually(lambda: len(rows(services, Appreciation)) == 2)

    # Kofi also asks for a mentor; Rafa has not answered yet.
    volunteer(person(driver, emulator, RAFA), roles=["mentor"], topics="Career growth, leadership")
    view_id = ask_for(
        kofi,
        "/mentor",
        need=f"{KOFI_MARKERS['second_need']} career growth towards leadership",
        manager=PRIYA,
        scope="broad_direction",
    )
    kofi.click_in_view(view_id, ask_action(choose(kofi, view_id, "mentor"), RAFA))
    waiting = person(driver, emulator, RAFA).latest_message_with(ids.INVITE_ACCEPT)
    assert KOFI_MARKERS["second_need"] in json.dumps(waiting)

    relationship = next(r for r in rows(services, Relationship) if r.status == "active")
    with services.database.transaction() as session:
        dot_id = next(p.id for p in session.exec(select(Person)) if p.slack_user_id == DOT)
        kofi_id = next(p.id for p in session.exec(select(Person)) if p.slack_user_id == KOFI)
        # Inserted directly: the mentor's report is written at closure, a flow not driven here.
        session.add(
            MentorReport(
                team_id=TEAM,
                relationship_id=relationship.id,
                author_id=dot_id,
                goals_reached=[KOFI_MARKERS["goal"]],
                progress="1 checkpoint kept",
                learned=f"{KOFI_MARKERS['report']} Kofi now writes his own joins",
                recommendations="More practice",
                created_at=clock.current,
            )
        )
        # Inserted directly: no flow drives the pulse survey or adding coordinators here yet.
        for author, suggestion in ((kofi_id, KOFI_MARKERS["pulse"]), (dot_id, DOT_PULSE)):
            session.add(
                PulseResponse(
                    team_id=TEAM,
                    relationship_id=relationship.id,
                    person_id=author,
                    period="2026-03",
                    rating=4,
                    suggestion=suggestion,
                    created_at=clock.current,
                )
            )
        session.add(Coordinator(team_id=TEAM, slack_user_id=KOFI, added_by=MARCUS))
        session.add(Coordinator(team_id=TEAM, slack_user_id=ELODIE, added_by=KOFI))
        # Inserted directly: no coordinator flow yet writes an audit event about a person.
        session.add(
            AuditEvent(
                team_id=TEAM,
                actor_slack_id=MARCUS,
                action="coordinator.viewed",
                subject=f"person:{KOFI}",
                detail={"people": [KOFI, DOT], "volunteer": KOFI},
                created_at=clock.current,
            )
        )
    return kofi, dot


def test_my_data_sends_a_file_with_everything_but_the_partners_private_notes(
    history, emulator, services, clock
):
    kofi, _ = history
    response = kofi.command("/mentoring", "my-data")
    assert response.status == 200
    assert "Preparing your export" in response.text
    stored: dict[str, Any] = eventually(lambda: shared_export(emulator))
    assert stored["channel"] == kofi.dm_channel()
    assert stored["content"]
    text = stored["content"].decode("utf-8")
    document = json.loads(text)

    for marker in KOFI_MARKERS.values():
        assert marker in text, marker
    assert DOT_NOTE not in text
    assert DOT_UNSHARED not in text
    assert DOT_THANKS in text
    (shared,) = document["reflections_shared_with_you"]
    assert shared["learned"] == DOT_SHARED
    assert shared["shared_with_you_by"] == DOT
    assert document["you"]["slack_user_id"] == KOFI
    assert "id" not in document["you"]
    (relationship,) = document["relationships"]
    assert relationship["partners"] == [DOT]
    assert (
        relationship["agreements"][0]["terms"]["confidentiality"]["private"]
        == (KOFI_MARKERS["private"])
    )
    assessed = [c["your_assessment"] for c in relationship["checkpoints"] if c["your_assessment"]]
    assert [a["note"] for a in assessed] == [KOFI_MARKERS["note"]]
    assert {n["kind"] for n in document["nudges"]} >= {"assess"}
    assert DOT_PULSE not in text
    assert document["coordinator"]["you_were_added_as_coordinator_by"] == MARCUS
    eventually(
        lambda: any(
            e.action == "privacy.export" and e.actor_slack_id == KOFI
            for e in rows(services, AuditEvent)
        )
    )


def test_forget_me_erases_every_trace_and_keeps_the_counts(
    history, driver, emulator, services, clock
):
    kofi, _ = history
    kofi.command("/mentoring", "my-data")
    eventually(lambda: shared_export(emulator))
    stored = kofi_row(services)
    assert stored is not None
    names = {emulator.user_name(KOFI), stored.display_name}
    assert "" not in names
    dot_before = next(p for p in rows(services, Person) if p.slack_user_id == DOT)
    counts = {model.__name__: count(services, model) for model in COUNTED}
    assert where(services, KOFI)
    assert where(services, KOFI_MARKERS["need"])

    # Without the tick: an inline error, and nothing changes.
    view_id = quiet(services, clock, kofi, "forget-me")
    view = emulator.view(view_id)
    assert "Kept" in json.dumps(view)
    before = every_value(services)
    response = kofi.submit(view_id, {})
    assert response.json()["response_action"] == "errors"
    assert ids.FORGET_CONFIRM in response.json()["errors"]
    assert every_value(services) == before

    response = kofi.submit(view_id, {ids.FORGET_CONFIRM: ["confirm"]})
    assert response.json()["response_action"] == "update"
    eventually(lambda: any("erased your personal data" in s.text for s in emulator.seen(KOFI)))

    assert kofi_row(services) is None
    for needle in (KOFI, *names, *KOFI_MARKERS.values()):
        assert where(services, needle) == [], needle

    assert {model.__name__: count(services, model) for model in COUNTED} == counts
    (erased,) = [p for p in rows(services, Person) if p.erased_at is not None]
    assert erased.slack_user_id == erasure_rules.anonymous_token(TEAM, KOFI)
    assert (erased.display_name, erased.tz, erased.manager_slack_id) == ("", None, None)
    (membership,) = [m for m in rows(services, RelationshipMember) if m.person_id == erased.id]
    relationship = next(
        r for r in rows(services, Relationship) if r.id == membership.relationship_id
    )
    assert (relationship.status, relationship.end_reason) == ("closed", "forgotten")
    ratings = [r.usefulness for r in rows(services, Reflection) if r.author_id == erased.id]
    assert sorted(ratings, key=str) == [5, None]  # kept only where it counts in reports
    experts = [i.title for i in rows(services, PlanItem) if i.item_type == "expert"]
    assert experts == [erased.slack_user_id]
    asked = {r.status for r in rows(services, MentoringRequest) if r.requester_id == erased.id}
    assert asked == {"matched", "cancelled"}
    # Rafa's waiting invitation, which quoted Kofi's need, now just says it was withdrawn.
    rafa_dm = emulator.dm_channel(RAFA)
    eventually(lambda: all("withdrawn" in json.dumps(m) for m in emulator.messages(rafa_dm)))
    assert KOFI_MARKERS["second_need"] not in json.dumps(emulator.messages(rafa_dm))
    assert all(a.message == "" for a in rows(services, Appreciation))
    alert = next(n for n in rows(services, Nudge) if n.kind == "at_risk")
    assert alert.reasons.startswith("Someone reported being blocked")

    # Dot's own data is untouched.
    dot_after = next(p for p in rows(services, Person) if p.slack_user_id == DOT)
    assert dot_after.display_name == dot_before.display_name != ""
    assert where(services, DOT_SHARED) == [("reflections", "learned")]
    assert where(services, DOT_UNSHARED) == [("reflections", "learned")]
    assert where(services, DOT_NOTE) == [("assessments", "note")]
    assert where(services, DOT_PULSE) == [("pulse_responses", "suggestion")]
    assert {p.rating for p in rows(services, PulseResponse)} == {4}
    assert {(c.slack_user_id, c.added_by) for c in rows(services, Coordinator)} == {
        (ELODIE, erased.slack_user_id)
    }

    actions = {(e.action, e.actor_slack_id) for e in rows(services, AuditEvent)}
    assert ("privacy.export", erased.slack_user_id) in actions
    assert ("privacy.forget", erased.slack_user_id) in actions
    forgot = next(e for e in rows(services, AuditEvent) if e.action == "privacy.forget")
    assert forgot.subject == ""

    # A second forget-me is a friendly no-op, and leaves no new trace either.
    view_id = quiet(services, clock, kofi, "forget-me")  # the command records Kofi afresh
    kofi.submit(view_id, {ids.FORGET_CONFIRM: ["confirm"]})
    eventually(lambda: any("nothing left to erase" in s.text for s in emulator.seen(KOFI)))
    eventually(lambda: kofi_row(services) is None)
    assert where(services, KOFI) == []
    assert [e.action for e in rows(services, AuditEvent)].count("privacy.forget") == 1


def test_blank_terms_keeps_choices_dates_and_other_people():
    terms = {
        "scope": {"goals": "mine", "covers": "also mine"},
        "schedule": {"cadence_days": "14", "end_date": "2026-06-01", "preferred_days": ["1"]},
        "plan": {"goal_1": "g", "due_1": "2026-05-01", "experts": [KOFI, DOT]},
        "extra": {"typed": "free text", "who": DOT, "n": 3},
    }
    blanked = erasure_rules.blank_terms(terms, user_id=KOFI, token="ERASED-x")
    assert blanked == {
        "scope": {"goals": "", "covers": ""},
        "schedule": {"cadence_days": "14", "end_date": "2026-06-01", "preferred_days": ["1"]},
        "plan": {"goal_1": "", "due_1": "2026-05-01", "experts": ["ERASED-x", DOT]},
        "extra": {"typed": "", "who": DOT, "n": 3},
    }


def test_without_mention_says_someone():
    text = f"<@{KOFI}> reported being blocked.\n<@{DOT}> and <@{KOFI}|kofi> went quiet."
    assert erasure_rules.without_mention(text, KOFI) == (
        f"Someone reported being blocked.\n<@{DOT}> and someone went quiet."
    )
