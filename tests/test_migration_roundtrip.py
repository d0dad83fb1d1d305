"""Migrations keep data: a database filled at 0001 goes up to the newest schema and back down to
0001 without losing a row, on SQLite and on PostgreSQL (MENTORBOT_TEST_DATABASE_URL).

Every table 0001 created gets rows, inserted through the 0001 schema as reflected from the
database (not through today's models, which have columns 0001 did not). After the upgrade the
rows are read back through today's models too, so the app can use what it finds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, func, insert, inspect, select
from sqlmodel import Session

from storage.db import Database, downgrade, upgrade
from storage.models import (
    Agreement,
    Checkpoint,
    MentoringRequest,
    Nudge,
    Offer,
    Person,
    Relationship,
)

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
T1 = datetime(2026, 1, 6, 14, 0, tzinfo=UTC)
DUE = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
TEAM = "T0ROUNDTRIP"

# Parents before children, so foreign keys hold while inserting.
ROWS: dict[str, list[dict[str, Any]]] = {
    "people": [
        {
            "id": 1,
            "team_id": TEAM,
            "slack_user_id": "U0GUIDE01",
            "display_name": "Guide Ångström",
            "tz": "Europe/London",
            "manager_slack_id": None,
            "nudges_muted": False,
            "created_at": T0,
            "last_seen_at": T1,
            "erased_at": None,
        },
        {
            "id": 2,
            "team_id": TEAM,
            "slack_user_id": "U0LEARN01",
            "display_name": "Learner",
            "tz": None,
            "manager_slack_id": "U0BOSS01",
            "nudges_muted": True,
            "created_at": T0,
            "last_seen_at": T0,
            "erased_at": None,
        },
    ],
    "offers": [
        {
            "id": 1,
            "team_id": TEAM,
            "person_id": 1,
            "as_mentor": True,
            "as_coach": False,
            "topics": "SQL, careers — and a line\nbreak",
            "style": "guide",
            "formats": ["one_to_one", "observation"],
            "capacity": 3,
            "availability": "Tuesdays",
            "status": "active",
            "created_at": T0,
            "updated_at": T1,
        }
    ],
    "requests": [
        {
            "id": 1,
            "team_id": TEAM,
            "requester_id": 2,
            "kind_asked": "coach",
            "kind_recommended": "mentor",
            "kind_chosen": "mentor",
            "need": "Grow into a lead role",
            "summary": "Lead role",
            "drivers": ["career_enhancement"],
            "goal_scope": "broad_direction",
            "format": "one_to_one",
            "time_commitment": "1h_fortnight",
            "manager_slack_id": "U0BOSS01",
            "status": "matched",
            "view_id": "V0VIEW01",
            "coordinator_notified_at": None,
            "created_at": T0,
            "updated_at": T1,
            "closed_at": T1,
        }
    ],
    "invitations": [
        {
            "id": 1,
            "team_id": TEAM,
            "request_id": 1,
            "person_id": 1,
            "status": "accepted",
            "assigned_by": None,
            "why": "Topic fit",
            "asked_at": T0,
            "expires_at": DUE,
            "answered_at": T1,
            "decline_reason": None,
            "slack_channel": "D0GUIDE01",
            "slack_ts": "1767605400.000100",
        }
    ],
    "relationships": [
        {
            "id": 1,
            "team_id": TEAM,
            "request_id": 1,
            "kind": "mentoring",
            "status": "active",
            "started_at": T1,
            "ended_at": None,
            "end_reason": None,
        }
    ],
    "relationship_members": [
        {"id": 1, "team_id": TEAM, "relationship_id": 1, "person_id": 1, "role": "guide"},
        {"id": 2, "team_id": TEAM, "relationship_id": 1, "person_id": 2, "role": "learner"},
    ],
    "agreements": [
        {
            "id": 1,
            "team_id": TEAM,
            "relationship_id": 1,
            "version": 1,
            "status": "active",
            "terms": {"scope": {"goals": "Lead a team"}, "time": {"cadence": "fortnightly"}},
            "created_at": T0,
            "activated_at": T1,
        }
    ],
    "plan_items": [
        {
            "id": 1,
            "team_id": TEAM,
            "agreement_id": 1,
            "item_type": "goal",
            "title": "Run a planning meeting",
            "detail": "With feedback",
            "due_on": date(2026, 2, 27),
            "state": "open",
        }
    ],
    "checkpoints": [
        {
            "id": 1,
            "team_id": TEAM,
            "relationship_id": 1,
            "agreement_id": 1,
            "title": "First review",
            "due_at": DUE,
            "status": "scheduled",
            "created_at": T1,
            "completed_at": None,
        }
    ],
    "nudges": [
        {
            "id": 1,
            "team_id": TEAM,
            "person_id": 2,
            "checkpoint_id": 1,
            "kind": "before",
            "dedupe_key": "before:1:2:2026-02-02T15:00",
            "send_at": datetime(2026, 1, 30, 9, 0, tzinfo=UTC),
            "status": "pending",
            "claimed_by": None,
            "claimed_until": None,
            "attempts": 0,
            "sent_at": None,
            "slack_channel": None,
            "slack_ts": None,
        }
    ],
    "reflections": [
        {
            "id": 1,
            "team_id": TEAM,
            "relationship_id": 1,
            "author_id": 2,
            "checkpoint_id": 1,
            "learned": "Listen first",
            "next_step": "Try it on Monday",
            "usefulness": 4,
            "shared_with_partner": False,
            "counts_in_reports": True,
            "created_at": T1,
        }
    ],
    "appreciations": [
        {
            "id": 1,
            "team_id": TEAM,
            "from_id": 2,
            "to_id": 1,
            "relationship_id": 1,
            "message": "Thank you!",
            "public": False,
            "created_at": T1,
        }
    ],
    "audit_events": [
        {
            "id": 1,
            "team_id": TEAM,
            "actor_slack_id": "U0GUIDE01",
            "action": "offer.create",
            "subject": "offer:1",
            "detail": {"capacity": 3},
            "created_at": T0,
        }
    ],
    "slack_event_receipts": [
        {"id": 1, "team_id": TEAM, "event_id": "Ev0ROUNDTRIP", "received_at": T0},
        {"id": 2, "team_id": "T0OTHER", "event_id": "Ev0ROUNDTRIP", "received_at": T0},
    ],
}


@pytest.fixture
def at_0001(database_url: str) -> Iterator[str]:
    """The test database emptied and migrated to 0001; left at the newest migration after."""
    downgrade(database_url, "base")
    upgrade(database_url, "0001")
    try:
        yield database_url
    finally:
        upgrade(database_url, "head")


def _fill(engine: Engine) -> None:
    tables = MetaData()
    tables.reflect(engine)
    assert set(ROWS) == set(tables.tables) - {"alembic_version"}, "a 0001 table has no rows"
    with engine.begin() as connection:
        for name, rows in ROWS.items():
            connection.execute(insert(tables.tables[name]), rows)


def _counts(engine: Engine) -> dict[str, int]:
    tables = MetaData()
    tables.reflect(engine, only=list(ROWS))
    with engine.connect() as connection:
        return {
            name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in tables.tables.items()
            if name in ROWS  # reflecting follows foreign keys into later tables (bot_dms)
        }


def _values_at_0001(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every 0001 table, through the 0001 columns only, in id order."""
    tables = MetaData()
    tables.reflect(engine, only=list(ROWS))
    found: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for name, table in tables.tables.items():
            if name not in ROWS:
                continue  # reflecting follows foreign keys into later tables (bot_dms)
            columns = [table.c[c] for c in ROWS[name][0]]
            ordered = select(*columns).order_by(table.c.id)
            found[name] = [dict(row) for row in connection.execute(ordered).mappings()]
    return found


def _normalised(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Datetimes as aware UTC (SQLite gives them back without an offset)."""

    def value(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.replace(tzinfo=UTC) if v.utcoffset() is None else v.astimezone(UTC)
        return v

    return {
        name: [{k: value(v) for k, v in row.items()} for row in table_rows]
        for name, table_rows in rows.items()
    }


def test_data_at_0001_survives_the_upgrade_to_head_and_the_downgrade_back(at_0001: str) -> None:
    database = Database.from_url(at_0001)
    try:
        _fill(database.engine)
        expected_counts = {name: len(rows) for name, rows in ROWS.items()}
        assert _counts(database.engine) == expected_counts
        before = _normalised(_values_at_0001(database.engine))
        assert before == _normalised(ROWS)

        upgrade(at_0001, "head")
        assert _counts(database.engine) == expected_counts
        assert _normalised(_values_at_0001(database.engine)) == before
        assert "slack_bots" in inspect(database.engine).get_table_names()

        # Today's models read the old rows, with the defaults later migrations gave new columns.
        with Session(database.engine) as session:
            guide = session.get(Person, 1)
            assert guide is not None
            assert guide.display_name == "Guide Ångström"
            assert guide.created_at == T0
            assert guide.shoutouts_opt_out is False
            offer = session.get(Offer, 1)
            assert offer is not None and offer.formats == ["one_to_one", "observation"]
            assert offer.topics == "SQL, careers — and a line\nbreak"
            request = session.get(MentoringRequest, 1)
            assert request is not None and request.drivers == ["career_enhancement"]
            relationship = session.get(Relationship, 1)
            assert relationship is not None
            assert (relationship.topic, relationship.at_risk_reasons) == ("", "")
            agreement = session.get(Agreement, 1)
            assert agreement is not None
            assert agreement.terms["time"] == {"cadence": "fortnightly"}
            assert agreement.updated_at is not None
            checkpoint = session.get(Checkpoint, 1)
            assert checkpoint is not None
            assert (checkpoint.due_at, checkpoint.reason) == (DUE, "cadence")
            nudge = session.get(Nudge, 1)
            assert nudge is not None
            assert (nudge.person_id, nudge.reasons, nudge.channel) == (2, "", None)
            assert (nudge.payload, nudge.dm_id) == ({}, None)
            assert (guide.paused_until, guide.nudges_stopped_at) == (None, None)

        downgrade(at_0001, "0001")
        assert _counts(database.engine) == expected_counts
        assert _normalised(_values_at_0001(database.engine)) == before
        left = set(inspect(database.engine).get_table_names()) - {"alembic_version"}
        assert left == set(ROWS)
    finally:
        database.dispose()
