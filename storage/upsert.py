"""Dialect-aware INSERT … ON CONFLICT, the one way storage/ writes a row that may exist already."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_or_update(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    *,
    conflict: Sequence[str],
    update: Sequence[str] = (),
) -> bool:
    """Insert `values`; when a row with the same `conflict` columns exists, update the columns
    named in `update`, or leave the row alone when `update` is empty. Safe under concurrency.

    Returns True when a row was written: with an empty `update`, True means "this call inserted".
    """
    table: Table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(**values)
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=list(conflict), set_={name: values[name] for name in update}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(conflict))
    # rowcount is -1 on PostgreSQL once RETURNING is involved; a returned row is the portable
    # signal that something was written.
    result = session.execute(statement.returning(*table.primary_key.columns))
    return result.first() is not None
