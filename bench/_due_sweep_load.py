"""Bulk-loading the due-sweep bench's data: executemany on SQLite, COPY on PostgreSQL, with the
big tables' secondary indexes and constraints dropped for the load and re-created from the
catalog afterwards; and wiping the PostgreSQL bench database first.
"""

from __future__ import annotations

from datetime import datetime

from psycopg import sql
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from bench._bulk import _chunks, _sqlite_stamp, _stamper
from bench._due_sweep_data import Sizes, _dataset
from storage.db import make_engine

# Both loaders follow the usual bulk-load recipe: drop the secondary indexes and constraints of
# the two big tables, load, then re-create exactly the definitions read from the catalog (so
# the schema stays the one the migrations made) and check every foreign key in bulk.


CHUNK = 50_000
BIG_TABLES = ("checkpoints", "nudges")


def _load_sqlite(engine: Engine, sizes: Sizes, now: datetime) -> dict[str, int]:
    """executemany in one transaction, synchronous=OFF and foreign keys checked after."""
    counts: dict[str, int] = {}
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        connection.execute("PRAGMA foreign_keys=OFF")  # checked in bulk below
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-524288")  # 512 MiB while loading
        deferred = [
            (name, ddl)
            for name, table, ddl in connection.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            )
            if table in BIG_TABLES and ddl is not None  # not the automatic unique indexes
        ]
        connection.execute("BEGIN")
        for name, _ in deferred:
            connection.execute(f'DROP INDEX "{name}"')
        for table, columns, rows in _dataset(sizes, now, _sqlite_stamp(engine, now)):
            statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (constants)
                table, ", ".join(columns), ", ".join("?" * len(columns))
            )
            for chunk in _chunks(rows, CHUNK):
                connection.executemany(statement, chunk)
                counts[table] = counts.get(table, 0) + len(chunk)
        for _, ddl in deferred:
            connection.execute(ddl)
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
        connection.execute("PRAGMA cache_size=-2000")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        pooled.close()
    return counts


_PG_CONSTRAINTS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = ANY(%(tables)s::regclass[]) AND contype IN ('f', 'u')
ORDER BY 1, 2
"""
_PG_INDEXES = """
SELECT tablename, indexname, indexdef
FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = ANY(%(tables)s)
  AND indexname NOT IN (
    SELECT conname FROM pg_constraint WHERE conrelid = ANY(%(tables)s::regclass[]))
ORDER BY 1, 2
"""


def _load_postgres(engine: Engine, sizes: Sizes, now: datetime) -> dict[str, int]:
    """COPY … FROM STDIN through psycopg, one COPY per chunk, in one transaction."""
    counts: dict[str, int] = {}
    stamp = _stamper(now, "+00")
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            tables = {"tables": list(BIG_TABLES)}
            constraints = cursor.execute(_PG_CONSTRAINTS, tables).fetchall()
            indexes = cursor.execute(_PG_INDEXES, tables).fetchall()
            for table, name, _ in constraints:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                )
            for _, name, _ in indexes:
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
            for table, columns, rows in _dataset(sizes, now, stamp):
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                for chunk in _chunks(rows, CHUNK):
                    with cursor.copy(copy_sql) as copy:
                        for row in chunk:
                            copy.write_row(row)
                    counts[table] = counts.get(table, 0) + len(chunk)
                # Explicit ids were loaded: move the id sequence past them.
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", (table, counts[table])
                )
            for _, _, ddl in indexes:  # definitions read from the catalog above
                cursor.execute(sql.SQL(ddl))
            for table, name, definition in constraints:  # re-adding an FK checks every row
                cursor.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
                    )
                )
            restored = (
                cursor.execute(_PG_CONSTRAINTS, tables).fetchall(),
                cursor.execute(_PG_INDEXES, tables).fetchall(),
            )
            assert restored == (constraints, indexes), "schema changed by the bulk load"
        connection.commit()
    finally:
        pooled.close()
    return counts


def _reset_postgres(url: str) -> None:
    """Drop every Mentorbot table (and Alembic's bookkeeping) so `upgrade` starts clean."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
