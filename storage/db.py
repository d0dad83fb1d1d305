"""The engine, sessions and migrations.

SQLite gets WAL mode, a busy timeout and foreign keys on every connection; PostgreSQL gets a
pool sized for the process. Query functions elsewhere in storage/ take a session and never commit:
the domain step that calls them owns the transaction (`with database.transaction() as session`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
READ_ONLY_OPTION = "mentorbot_read_only"
ONE_STATEMENT_OPTION = "mentorbot_one_statement"


class DatabaseUnavailable(Exception):
    """The database could not be reached or answered with an operational error."""


def make_engine(url: str, *, pool_size: int = 5, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy emit BEGIN itself so writers can take the lock up front (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Start SQLite write transactions with the write lock taken, so a read that decides a write
    cannot be overtaken by another writer (a lost update, or SQLITE_BUSY on lock upgrade).
    Read-only sessions (`Database.reading`) begin deferred and never wait for writers; reads of
    one statement each (`Database.reading_rows`) need no transaction at all, a statement being
    atomic by itself. Through SQLAlchemy, so that a failure ("database is locked") arrives as
    its OperationalError, which the error handler turns into "try again"."""
    options = connection.get_execution_options()
    if options.get(ONE_STATEMENT_OPTION):
        return
    connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY_OPTION) else "BEGIN IMMEDIATE")


@dataclass(frozen=True)
class Database:
    engine: Engine

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 5) -> Database:
        return cls(make_engine(url, pool_size=pool_size))

    @cached_property
    def _read_only(self) -> Engine:
        """The engine with reads marked as such: made once, as each copy costs event set-up."""
        return self.engine.execution_options(**{READ_ONLY_OPTION: True})

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only; on SQLite it does not take the write lock."""
        with Session(self._read_only, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.expunge_all()  # objects read stay usable after the session ends
                session.rollback()

    @cached_property
    def _one_statement(self) -> Engine:
        options: dict[str, Any] = {READ_ONLY_OPTION: True, ONE_STATEMENT_OPTION: True}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"  # no BEGIN and ROLLBACK round trips
        return self.engine.execution_options(**options)

    @contextmanager
    def reading_rows(self) -> Iterator[Connection]:
        """A bare connection (no Session, no ORM objects) outside any transaction, for reads of
        ONE statement each: what a hot read behind an acknowledgement needs. A single statement
        sees one consistent state by itself; two would each see their own."""
        with self._one_statement.connect() as connection:
            yield connection

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the migrations shipped inside this package."""
    migrations = resources.files("storage").joinpath("migrations")
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(url: str) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()
