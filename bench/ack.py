"""How fast Mentorbot acknowledges a slash command under load, against a bare Bolt app.

Both run on gunicorn with the same settings (2 gthread workers of 8 threads, as `mentorbot serve`
starts them): Mentorbot's real `mentorbot serve` on a fresh SQLite database migrated with
`storage.db.upgrade`, the built-in Slack emulator standing in for the Web API; and
bench/bare_bolt.py, a Bolt app whose only listener acks `/mentoring` with no work. 50 senders,
each a person of its own on a keep-alive connection, send signed `/mentoring me` commands as fast
as the answers come back, in 5 rounds of 5 s per app (a 1 s warm-up each, not counted), the two
apps taking turns. Each round opens fresh connections, because how gunicorn's workers share them
is a coin toss (whichever worker wakes first accepts: 44/6 as easily as 25/25) and the worker
holding most of them sets the p99 of either app; the figures are the medians over the rounds, and
each round's split is printed. Per app: p50, p99, throughput and errors (anything but a 200 with
the expected answer); then the ratio of the median p99s (target ≤ 1.5, zero errors); then one
paced run of 15 s at 100 commands a second, below both apps' capacity. Also the resident memory
(VmRSS from /proc) of Mentorbot's gunicorn master and workers, idle after boot and at the peak
of the load; the target is per worker (< 150 MB idle), and the whole tree is shown beside it,
in RSS (shared pages counted in every process) and PSS (shared pages split between them).

    python bench/ack.py
    MENTORBOT_BENCH_ACK_SECONDS=2 MENTORBOT_BENCH_ACK_ROUNDS=3 python bench/ack.py   # a quick run
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/ack.py`

from bench._ack_load import SECRET, SENDERS, Load, bench_people, send_load
from bench._serve import (
    Memory,
    bare_bolt_serve,
    memory_of,
    mentorbot_serve,
    peak_memory,
)
from bench.common import Row, missed, print_table, write_json
from bot.emulator import SlackEmulator
from storage.db import upgrade

SECONDS_ENV = "MENTORBOT_BENCH_ACK_SECONDS"
ROUNDS_ENV = "MENTORBOT_BENCH_ACK_ROUNDS"
SECONDS, ROUNDS = 5.0, 5  # counted seconds of one flat-out round; rounds per app
PACED_ROUNDS = 3  # the paced run lasts as long as three rounds
WORKERS, THREADS = 2, 8
RATIO_TARGET = 1.5
PACED_PER_SENDER = 2.0  # commands a second per sender in the paced run: 100/s in all
IDLE_WORKER_MB = 150.0
TOKEN = "xoxb-emulator-token"
MENTORBOT_ANSWER = b"Your mentoring and coaching."
BARE_ANSWER = b"ok"


@dataclass
class Rounds:
    """The flat-out rounds of one app."""

    loads: list[Load] = field(default_factory=list)

    def median(self, share: float) -> float:
        return statistics.median(load.percentile(share) for load in self.loads)

    @property
    def errors(self) -> int:
        return sum(load.errors for load in self.loads)

    @property
    def first_error(self) -> str:
        return next((load.first_error for load in self.loads if load.first_error), "")

    @property
    def requests(self) -> int:
        return sum(len(load.latencies) + load.errors for load in self.loads)

    @property
    def seconds(self) -> float:
        return sum(load.seconds for load in self.loads)

    @property
    def server_cpu_ms(self) -> float:
        return statistics.median(load.server_cpu_ms for load in self.loads)


def _flat_out_rows(label: str, rounds: Rounds) -> list[Row]:
    rate = rounds.requests / rounds.seconds if rounds.seconds > 0 else 0.0
    note = (
        f"median of {len(rounds.loads)} rounds; {rounds.requests:,} requests in "
        f"{rounds.seconds:.0f} s ({rate:,.0f}/s) from {SENDERS} senders"
    )
    if rounds.first_error:
        note += f"; first error: {rounds.first_error}"
    p99s = ", ".join(f"{load.percentile(0.99):.0f}" for load in rounds.loads)
    return [
        Row(f"ack {label}: p50", rounds.median(0.50), "ms", note=note),
        Row(f"ack {label}: p99", rounds.median(0.99), "ms", note=f"rounds: {p99s} ms"),
        Row(f"ack {label}: errors", rounds.errors, "", "0", rounds.errors == 0),
        Row(
            f"ack {label}: server CPU per request",
            rounds.server_cpu_ms,
            "ms",
            note="the workers' user + system time over the requests counted (median of rounds)",
        ),
    ]


def _paced_rows(label: str, load: Load) -> list[Row]:
    counted = len(load.latencies) + load.errors
    rate = counted / load.seconds if load.seconds > 0 else 0.0
    note = f"{counted:,} requests in {load.seconds:.1f} s ({rate:,.0f}/s) from {SENDERS} senders"
    if load.first_error:
        note += f"; first error: {load.first_error}"
    return [
        Row(f"ack {label}: p50", load.percentile(0.50), "ms", note=note),
        Row(f"ack {label}: p99", load.percentile(0.99), "ms"),
        Row(f"ack {label}: errors", load.errors),
    ]


@dataclass
class Measured:
    flat_out: Rounds
    paced: Load
    idle: Memory
    peak: Memory | None


MENTORBOT, BARE = "Mentorbot", "bare Bolt"


def _report(label: str, load: Load) -> None:
    split = "/".join(str(n) for n in load.split) or "?"
    print(
        f"{label}: p50 {load.percentile(0.5):.1f} ms, p99 {load.percentile(0.99):.1f} ms, "
        f"{len(load.latencies) + load.errors} requests, {load.errors} errors, "
        f"connections per worker {split}, server CPU {load.server_cpu_ms:.2f} ms per request",
        flush=True,
    )


def run(*, seconds: float | None = None, rounds: int | None = None) -> list[Row]:
    if seconds is None:
        seconds = float(os.environ.get(SECONDS_ENV, SECONDS))
    if rounds is None:
        rounds = int(os.environ.get(ROUNDS_ENV, ROUNDS))
    with (
        tempfile.TemporaryDirectory(prefix="mentorbot-bench-ack-") as directory,
        SlackEmulator(users=bench_people(), channels={}) as emulator,
        ExitStack() as servers,
    ):
        folder = Path(directory)
        url = f"sqlite:///{folder / 'ack.db'}"
        upgrade(url)
        settings = {"api_url": emulator.api_url, "signing_secret": SECRET, "bot_token": TOKEN}
        served = {
            MENTORBOT: servers.enter_context(
                mentorbot_serve(
                    folder=folder,
                    database_url=url,
                    workers=WORKERS,
                    threads=THREADS,
                    log_level="INFO",  # as in production: one log line per request
                    **settings,
                )
            ),
            BARE: servers.enter_context(
                bare_bolt_serve(folder=folder, workers=WORKERS, threads=THREADS, **settings)
            ),
        }
        expected = {MENTORBOT: MENTORBOT_ANSWER, BARE: BARE_ANSWER}
        time.sleep(1.0)  # every worker booted and quiet
        idle = memory_of(served[MENTORBOT])
        print(f"Mentorbot: idle RSS {idle.tree_mb:.0f} MB", flush=True)
        flat_out = {MENTORBOT: Rounds(), BARE: Rounds()}
        with peak_memory(served[MENTORBOT]) as samples:
            for n in range(rounds):
                for label in (MENTORBOT, BARE) if n % 2 == 0 else (BARE, MENTORBOT):
                    load = send_load(served[label], emulator, expected[label], seconds)
                    flat_out[label].loads.append(load)
                    _report(f"{label}, flat out, round {n + 1}", load)
        paced = {}
        for label in (MENTORBOT, BARE):
            paced[label] = send_load(
                served[label], emulator, expected[label], seconds * PACED_ROUNDS, PACED_PER_SENDER
            )
            _report(f"{label}, paced", paced[label])
    peak = max(samples, key=lambda m: m.tree_mb, default=None)
    return _rows(
        Measured(flat_out[MENTORBOT], paced[MENTORBOT], idle, peak),
        Measured(flat_out[BARE], paced[BARE], idle, None),
    )


def _ratio(mentorbot: Load, bare: Load, share: float) -> float:
    return mentorbot.percentile(share) / bare.percentile(share)


def _rows(mentorbot: Measured, bare: Measured) -> list[Row]:
    ratio = mentorbot.flat_out.median(0.99) / bare.flat_out.median(0.99)
    p50_ratio = mentorbot.flat_out.median(0.5) / bare.flat_out.median(0.5)
    pairs = zip(mentorbot.flat_out.loads, bare.flat_out.loads, strict=True)
    per_round = sorted(_ratio(m, b, 0.99) for m, b in pairs)
    paced_ratio = _ratio(mentorbot.paced, bare.paced, 0.99)
    paced = f"paced {PACED_PER_SENDER * SENDERS:.0f}/s"
    rows = [
        *_flat_out_rows("Mentorbot /mentoring me", mentorbot.flat_out),
        *_flat_out_rows("bare Bolt ack", bare.flat_out),
        Row(
            "ack p99 ratio Mentorbot / bare Bolt",
            ratio,
            "x",
            f"<= {RATIO_TARGET}",
            ratio <= RATIO_TARGET,
            f"flat out, median p99s; p50 ratio {p50_ratio:.2f}x; round by round "
            f"{per_round[0]:.2f}-{per_round[-1]:.2f}x; "
            f"gunicorn {WORKERS} workers x {THREADS} threads each",
        ),
        *_paced_rows(f"Mentorbot {paced}", mentorbot.paced),
        *_paced_rows(f"bare Bolt {paced}", bare.paced),
        Row(
            f"ack p99 ratio {paced}",
            paced_ratio,
            "x",
            note=f"below both apps' capacity; p50 ratio "
            f"{_ratio(mentorbot.paced, bare.paced, 0.5):.2f}x",
        ),
    ]
    idle, peak = mentorbot.idle, mentorbot.peak
    rows += [
        Row(
            "web memory idle: per worker (max VmRSS)",
            idle.worker_max_mb,
            "MB",
            f"< {IDLE_WORKER_MB:.0f} MB",
            idle.worker_max_mb < IDLE_WORKER_MB,
            "Mentorbot's gunicorn workers after boot, before any request",
        ),
        Row("web memory idle: master VmRSS", idle.rss[0] / 1024, "MB"),
        Row(
            "web memory idle: tree (master + workers)",
            idle.tree_mb,
            "MB",
            note=f"VmRSS sum; PSS sum {idle.pss_total / 1024:.0f} MB (shared pages split)",
        ),
    ]
    if peak is not None:
        rows += [
            Row("web memory loaded: per worker (max VmRSS)", peak.worker_max_mb, "MB"),
            Row(
                "web memory loaded: tree (master + workers)",
                peak.tree_mb,
                "MB",
                note=f"peak while flat out; PSS sum {peak.pss_total / 1024:.0f} MB",
            ),
        ]
    return rows


def main() -> int:
    rows = run()
    print()
    print_table(rows)
    path = write_json(rows, "ack.json")
    print(f"\nwrote {path}")
    return 1 if missed(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
