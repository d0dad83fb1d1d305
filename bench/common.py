"""Small helpers shared by the benches: timing, the result row, the summary table, JSON output.

A bench is a module in bench/ with `run() -> list[Row]`, runnable alone (`python bench/x.py`)
and picked up by `bench/run_all.py` (`make bench`).
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PG_URL_ENV = "MENTORBOT_BENCH_DATABASE_URL"
PG_SKIPPED = f"skipped (set {PG_URL_ENV})"
SCALE_ENV = "MENTORBOT_BENCH_SCALE"  # a fraction of the full data set, for a quick run


@dataclass(frozen=True)
class Timing:
    """Wall-clock milliseconds of `runs` calls after one warm-up call."""

    median_ms: float
    p95_ms: float
    runs: int


def median_ms(fn: Callable[[], object], repeat: int = 20) -> Timing:
    """Call `fn` once to warm up, then `repeat` times; the median and p95 in milliseconds."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    return Timing(median_ms=statistics.median(samples), p95_ms=p95, runs=repeat)


@dataclass(frozen=True)
class Row:
    """One figure of a bench. `met` is None for a figure without a target (a count, a skip)."""

    name: str
    value: float | int | str
    unit: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""


def _value(row: Row) -> str:
    if isinstance(row.value, float):
        text = f"{row.value:,.1f}" if abs(row.value) >= 10 else f"{row.value:,.2f}"
    elif isinstance(row.value, int):
        text = f"{row.value:,}"
    else:
        text = row.value
    return f"{text} {row.unit}".rstrip()


def _met(row: Row) -> str:
    if row.met is None:
        return ""
    return "yes" if row.met else "NO"


def format_table(rows: Sequence[Row]) -> str:
    """One aligned table: figure, value, target, met (and a note column when any row has one)."""
    header = ["figure", "value", "target", "met"]
    lines = [[row.name, _value(row), row.target, _met(row)] for row in rows]
    if any(row.note for row in rows):
        header.append("note")
        for line, row in zip(lines, rows, strict=True):
            line.append(row.note)
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    right = {1}  # values read best right-aligned

    def render(cells: list[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


def print_table(rows: Sequence[Row]) -> None:
    print(format_table(rows), flush=True)


def write_json(rows: Sequence[Row], path: str | Path) -> Path:
    """Write the rows as JSON; a relative path lands in bench/results/ (git-ignored)."""
    target = Path(path)
    if not target.is_absolute():
        target = RESULTS / target
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rows": [asdict(row) for row in rows],
    }
    target.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return target


def missed(rows: Sequence[Row]) -> list[Row]:
    """Rows whose target was not met."""
    return [row for row in rows if row.met is False]
