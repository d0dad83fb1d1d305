"""`/mentoring me`'s overview: one statement reads all of it, and the reply shows exactly what the
person has going on. Also the "last seen" bookkeeping after every command, which writes at most
once per SEEN_EVERY. Runs on SQLite, and on PostgreSQL with MENTORBOT_TEST_DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from bot import data_erasure, overview, people
from bot.dm_gate import Standing
from bot.pool import OfferState
from bot.ports import Profile
from bot.services import SEEN_EVERY, Services
from storage import people as people_rows
from storage import relationships
from storage.db import Database
from storage.models import BotDm, Invitation, MentoringRequest, Offer, Person, Relationship
from tests.conftest import TEAM_ID

OTHER_TEAM = "T0ELSEWHERE"
KOFI, DOT, HANA, LENA, RAFA = "U0KOFI0001", "U0DOT00001", "U0HANA0001", "U0LENA0001", "U0RAFA0001"
JAN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _person(session, slack_id: str, *, team_id: str = TEAM_ID, name: str = "") -> int:
    person = people_rows.seen(session, team_id=team_id, slack_user_id=slack_id, at=JAN)
    people_rows.update_profile(session, person, display_name=name, tz="Europe/Berlin")
    return int(person.id or 0)


def _request(session, requester: int, *, status: str, at: datetime, **kind: str) -> int:
    request = MentoringRequest(
        team_id=kind.pop("team_id", TEAM_ID),
        requester_id=requester,
        kind_asked=kind.get("asked", "coach"),
        kind_chosen=kind.get("chosen"),
        status=status,
        created_at=at,
        updated_at=at,
    )
    session.add(request)
    session.flush()
    return int(request.id or 0)


def _relationship(session, *, guide: int, learners: list[int], at: datetime, kind: str) -> int:
    made = relationships.start_group(
        session,
        team_id=TEAM_ID,
        kind=kind,
        topic="",
        guide_id=guide,
        learner_ids=learners,
        at=at,
    )
    return int(made.id or 0)


def _seed_kofi(database: Database) -> dict[str, int]:
    """Kofi guides a group (Dot and Hana, who has no name yet) and learns from Lena; an ended
    relationship, answered invitations, closed requests and another workspace's rows must not
    show."""
    with database.transaction() as session:
        kofi = _person(session, KOFI, name="Kofi")
        dot = _person(session, DOT, name="Dot")
        hana = _person(session, HANA)
        lena = _person(session, LENA, name="Lena")
        rafa = _person(session, RAFA, name="Rafa")
        elsewhere = _person(session, KOFI, team_id=OTHER_TEAM, name="Kofi elsewhere")
        later = _request(session, kofi, status="unmatched", at=JAN + timedelta(days=3))
        earlier = _request(
            session, kofi, status="open", at=JAN + timedelta(days=1), asked="coach", chosen="mentor"
        )
        _request(session, kofi, status="matched", at=JAN)
        _request(session, kofi, status="cancelled", at=JAN)
        _request(session, elsewhere, status="open", at=JAN, team_id=OTHER_TEAM)
        _request(session, dot, status="open", at=JAN)
        group = _relationship(
            session, guide=kofi, learners=[dot, hana], at=JAN + timedelta(days=10), kind="coaching"
        )
        learning = _relationship(
            session, guide=lena, learners=[kofi], at=JAN + timedelta(days=2), kind="mentoring"
        )
        ended = _relationship(session, guide=kofi, learners=[rafa], at=JAN, kind="mentoring")
        session.get_one(Relationship, ended).status = "ended"
        asked = _request(session, rafa, status="matching", at=JAN)
        for status, request_id in (("pending", asked), ("pending", later), ("declined", earlier)):
            session.add(
                Invitation(
                    team_id=TEAM_ID,
                    request_id=request_id,
                    person_id=kofi,
                    status=status,
                    expires_at=JAN + timedelta(days=5),
                )
            )
        session.add(
            Offer(
                team_id=TEAM_ID,
                person_id=kofi,
                as_mentor=True,
                as_coach=True,
                topics="SQL, <!channel> and spreadsheets",
                style="teacher",
                formats=["remote", "in_person"],
                capacity=3,
                availability="Tuesdays",
                status="paused",
            )
        )
        session.add(Offer(team_id=OTHER_TEAM, person_id=elsewhere, capacity=9))
    return {"earlier": earlier, "later": later, "group": group, "learning": learning}


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_the_overview_is_exactly_what_the_person_has_going_on(services: Services) -> None:
    made = _seed_kofi(services.database)
    with _statements(services.database) as seen:
        mine = overview.for_person(services, team_id=TEAM_ID, user_id=KOFI)
    assert len(seen) == 1, seen  # one statement, no transaction around it
    assert [(r.request_id, r.kind, r.status) for r in mine.requests] == [
        (made["earlier"], "mentor", "open"),
        (made["later"], "coach", "unmatched"),
    ]
    assert mine.requests[0].created_at == JAN + timedelta(days=1)
    assert [
        (r.relationship_id, r.kind, r.role, r.partners, r.partner_names, r.started_at)
        for r in mine.relationships
    ] == [
        (made["learning"], "mentoring", "learner", (LENA,), ("Lena",), JAN + timedelta(days=2)),
        (made["group"], "coaching", "guide", (DOT, HANA), ("Dot", HANA), JAN + timedelta(days=10)),
    ]
    assert mine.invitations_waiting == 2
    assert mine.offer == OfferState(
        as_mentor=True,
        as_coach=True,
        topics="SQL, <!channel> and spreadsheets",
        style="teacher",
        formats=("remote", "in_person"),
        capacity=3,
        availability="Tuesdays",
        status="paused",
        active_count=1,  # the group he guides; not the ended one, nor the one he learns in
    )
    assert mine.offer.free_places == 2


def test_a_stranger_and_a_newcomer_have_an_empty_overview(services: Services) -> None:
    assert overview.for_person(services, team_id=TEAM_ID, user_id="U0NOBODY01").empty
    with services.database.transaction() as session:
        _person(session, DOT, name="Dot")
    mine = overview.for_person(services, team_id=TEAM_ID, user_id=DOT)
    assert mine.empty and mine.offer is None and mine.invitations_waiting == 0


def test_mentoring_me_shows_the_overview(services: Services, driver) -> None:
    _seed_kofi(services.database)
    reply = driver.command(KOFI, "/mentoring", "me")
    text = str(reply.json())
    assert "Your mentoring and coaching" in text
    assert f"<@{DOT}>, <@{HANA}>" in text and "you guide" in text and "you learn" in text
    assert "2 invitation(s)" in text and "Your offer" in text
    assert "<!channel>" not in text  # the offer's topics are escaped
    assert f"<@{RAFA}>" not in text  # the ended relationship


class FakeDirectory:
    """Slack's users.info, recording who was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def profile(self, slack_user_id: str) -> Profile | None:
        self.asked.append(slack_user_id)
        return Profile(slack_user_id=slack_user_id, display_name="Kofi", tz="Africa/Accra")


def _kofi(database: Database) -> Person | None:
    with database.reading() as session:
        return people_rows.by_slack_id(session, team_id=TEAM_ID, slack_user_id=KOFI)


def test_last_seen_is_written_at_most_every_few_minutes(services: Services, clock) -> None:
    directory = FakeDirectory()
    first = clock.current
    people.note_use(services, directory, team_id=TEAM_ID, user_id=KOFI)
    found = _kofi(services.database)
    assert found is not None
    assert (found.display_name, found.tz, found.last_seen_at) == ("Kofi", "Africa/Accra", first)
    assert directory.asked == [KOFI]

    # A burst of commands: no statement at all, as this process noted Kofi a moment ago.
    with _statements(services.database) as seen:
        for _ in range(5):
            clock.current += timedelta(minutes=2)
            people.note_use(services, directory, team_id=TEAM_ID, user_id=KOFI)
    assert seen == []
    assert _kofi(services.database).last_seen_at == first  # type: ignore[union-attr]

    # Another worker (its own services, nothing noted yet) reads once and writes nothing.
    other = Services(settings=services.settings, database=services.database, clock=clock)
    with _statements(services.database) as seen:
        people.note_use(other, directory, team_id=TEAM_ID, user_id=KOFI)
        people.note_use(other, directory, team_id=TEAM_ID, user_id=KOFI)
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT")

    # Once SEEN_EVERY has passed since the last write, the next command writes again.
    clock.current = first + SEEN_EVERY
    people.note_use(services, directory, team_id=TEAM_ID, user_id=KOFI)
    assert _kofi(services.database).last_seen_at == first + SEEN_EVERY  # type: ignore[union-attr]
    assert directory.asked == [KOFI]  # the name is known: Slack is not asked again


def test_forgetting_someone_lets_their_next_command_record_them_afresh(
    services: Services,
    clock,
) -> None:
    directory = FakeDirectory()
    people.note_use(services, directory, team_id=TEAM_ID, user_id=KOFI)
    data_erasure.forget(services, team_id=TEAM_ID, user_id=KOFI)
    assert _kofi(services.database) is None
    clock.current += timedelta(minutes=1)
    people.note_use(services, directory, team_id=TEAM_ID, user_id=KOFI)
    again = _kofi(services.database)
    assert again is not None and again.last_seen_at == clock.current


def test_the_overview_says_where_the_person_stands_with_the_bots_dms(services: Services) -> None:
    now = services.now()
    with services.database.transaction() as session:
        kofi = _person(session, KOFI, name="Kofi")
        dot = _person(session, DOT, name="Dot")
        for person_id, ago in ((kofi, 1), (kofi, 6), (kofi, 8), (dot, 1)):
            session.add(
                BotDm(
                    team_id=TEAM_ID,
                    person_id=person_id,
                    kind="nudge",
                    sent_at=now - timedelta(days=ago),
                )
            )
        for person_id, paused in ((kofi, now + timedelta(days=3)), (dot, now - timedelta(days=1))):
            row = session.get(Person, person_id)
            assert row is not None
            row.paused_until = paused
            row.nudges_muted = person_id == kofi
            row.nudges_stopped_at = now if person_id == kofi else None
    budget = services.settings.mentorbot_dm_budget
    with _statements(services.database) as seen:
        kofis = overview.for_person(services, team_id=TEAM_ID, user_id=KOFI).messages
    assert len(seen) == 1  # still the one statement
    assert kofis == Standing(budget, 2, now + timedelta(days=3), stopped=True, muted=True)
    dots = overview.for_person(services, team_id=TEAM_ID, user_id=DOT).messages
    assert dots == Standing(budget, 1, None, stopped=False, muted=False)  # the pause is over
    stranger = overview.for_person(services, team_id=TEAM_ID, user_id="U0NOBODY01").messages
    assert stranger == Standing(budget, 0, None, stopped=False, muted=False)
