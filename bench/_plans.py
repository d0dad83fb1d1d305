"""Query plans for the benches: capturing the SELECTs an engine sends and reading the plan of
one (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL) for an index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event


@dataclass(frozen=True)
class Plan:
    text: str
    uses_index: bool
    verdict: str


@contextmanager
def _capture_selects(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements (with their parameters) the engine sends while the block runs."""
    seen: list[tuple[str, Any]] = []

    def listener(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _explain(engine: Engine, statement: str, parameters: Any, table: str, index: str) -> Plan:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            result = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            depth: dict[int, int] = {0: 0}
            lines = []
            for node, parent, _unused, detail in result:
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + str(detail))
            connection.rollback()
            full_scan = [line for line in lines if re.match(rf"\s*SCAN {table}\b", line)]
        else:
            result = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters
            )
            lines = [str(line) for (line,) in result]
            connection.rollback()
            full_scan = [line for line in lines if f"Seq Scan on {table}" in line]
    plan_text = "\n".join(lines)
    named = index in plan_text
    if full_scan:
        verdict = f"full scan: {full_scan[0].strip()}"
    elif not named:
        verdict = f"{index} not used"
    else:
        verdict = f"uses {index}"
        if "TEMP B-TREE" in plan_text or "Sort" in plan_text:
            verdict += " + sort"
    return Plan(plan_text, uses_index=named and not full_scan, verdict=verdict)
