"""Loading the status bench's data into a freshly migrated database (executemany on SQLite,
COPY on PostgreSQL), and wiping the PostgreSQL bench database first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, text

from bench._bulk import TableRows, _chunks, _sqlite_stamp, _stamper
from bench._status_data import _dataset
from bench._status_workspace import Facts, Sizes
from storage.db import make_engine

# The tables are small enough (a quarter of a million rows in all) to load with their indexes
# in place: executemany in one transaction on SQLite, one COPY per table on PostgreSQL.

CHUNK = 20_000


def _load(engine: Engine, sizes: Sizes, now: datetime) -> tuple[dict[str, int], Facts]:
    if engine.dialect.name == "sqlite":
        tables, facts = _dataset(sizes, now, _sqlite_stamp(engine, now))
        return _load_sqlite(engine, tables), facts
    tables, facts = _dataset(sizes, now, _stamper(now, "+00"))
    return _load_postgres(engine, tables), facts


def _load_sqlite(engine: Engine, tables: Iterable[TableRows]) -> dict[str, int]:
    counts: dict[str, int] = {}
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        connection.execute("PRAGMA foreign_keys=OFF")  # checked in bulk below
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("BEGIN")
        for table, columns, rows in tables:
            statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (constants)
                table, ", ".join(columns), ", ".join("?" * len(columns))
            )
            counts[table] = 0
            for chunk in _chunks(rows, CHUNK):
                connection.executemany(statement, chunk)
                counts[table] += len(chunk)
        broken = [
            row
            for table in counts
            for row in connection.execute(f"PRAGMA foreign_key_check({table})")
        ]
        if broken:
            connection.execute("ROLLBACK")
            raise RuntimeError(f"bench data breaks foreign keys: {broken[:5]}")
        connection.execute("COMMIT")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        pooled.close()
    return counts


def _load_postgres(engine: Engine, tables: Iterable[TableRows]) -> dict[str, int]:
    from psycopg import sql

    counts: dict[str, int] = {}
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            for table, columns, rows in tables:
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                loaded = 0
                with cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                        loaded += 1
                counts[table] = loaded
                # Explicit ids were loaded: move the id sequence past them (the app inserts too).
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
                    (table, max(loaded, 1), loaded > 0),
                )
        connection.commit()
    finally:
        pooled.close()
    return counts


def _reset_postgres(url: str) -> None:
    """Drop every table of the schema (Mentorbot's, Slack's stores', Alembic's) so `upgrade`
    starts from nothing."""
    engine = make_engine(url, pool_size=1)
    try:
        quote = engine.dialect.identifier_preparer.quote
        with engine.begin() as connection:
            names = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            for name in list(names):
                connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    finally:
        engine.dispose()
