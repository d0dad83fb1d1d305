"""Run every bench in bench/ (each module with a `run()`), print one summary table and write
bench/results/summary.json. `make bench` runs this.

Exit status: 0 when every target was met, 1 when a target was missed or a bench failed to run;
with --report-only, 1 only when a bench failed to run.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/run_all.py`

import bench
from bench.common import Row, missed, print_table, write_json

NOT_BENCHES = frozenset({"common", "run_all"})
BROKEN = "bench error"  # the unit of the row standing for a bench that did not run


def bench_modules() -> list[str]:
    """Names of the modules in bench/ that may hold a bench, in name order."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules(bench.__path__)
        if not info.ispkg and info.name not in NOT_BENCHES and not info.name.startswith("_")
    )


def _run_module(name: str) -> list[Row]:
    """The rows of one bench; one failing row when it cannot be imported or raises."""
    try:
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if not callable(run):
            return []
        print(f"\n### bench.{name}", flush=True)
        started = time.perf_counter()
        rows = list(run())
    except Exception as error:  # one broken bench must not hide the others
        traceback.print_exc()
        return [Row(name, "did not run", BROKEN, met=False, note=repr(error)[:160])]
    print(f"### bench.{name}: {time.perf_counter() - started:.0f} s", flush=True)
    return rows


def run_all() -> list[Row]:
    return [row for name in bench_modules() for row in _run_module(name)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every bench in bench/, print one table.")
    parser.add_argument(
        "--report-only", action="store_true", help="exit 0 even when a target is missed"
    )
    options = parser.parse_args(argv)
    rows = run_all()
    print("\n== summary")
    print_table(rows)
    path = write_json(rows, "summary.json")
    print(f"\nwrote {path}")
    failures = missed(rows)
    if failures:
        print(f"{len(failures)} target(s) missed: " + "; ".join(row.name for row in failures))
    broken = any(row.unit == BROKEN for row in rows)
    return 1 if broken or (failures and not options.report_only) else 0


if __name__ == "__main__":
    sys.exit(main())
