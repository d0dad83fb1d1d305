"""Alembic migrations build exactly the tables the models describe, and go down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import Database, downgrade, upgrade


def test_migrated_schema_matches_the_models(database_url):
    database = Database.from_url(database_url)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    database.dispose()
    assert differences == []


def test_downgrade_to_base_and_up_again(database_url):
    downgrade(database_url, "base")
    database = Database.from_url(database_url)
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    upgrade(database_url)
    assert set(SQLModel.metadata.tables) <= set(inspect(database.engine).get_table_names())
    database.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    database = Database.from_url(f"sqlite:///{tmp_path}/wal.db")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 1000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
