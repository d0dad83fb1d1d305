"""bench/ack.py's load: SENDERS people, each on a keep-alive connection of their own, sending signed
`/mentoring me` commands to a served app, flat out or paced, and what they measured.

Not a bench itself (run_all skips modules starting with `_`).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench._serve import Served, connections_per_worker, cpu_seconds
from bot.emulator import SlackEmulator

SENDERS = 50
WARM_UP_S = 1.0
MAX_REQUESTS = 20_000
SECRET = "bench-signing-secret-0123456789abcdef"
TEAM = "T0EMULATOR"


def bench_people() -> list[dict[str, Any]]:
    return [
        {
            "id": f"U0BENCH{n:03d}",
            "name": f"bench{n}",
            "real_name": f"Bench Person {n}",
            "display_name": f"Bench {n}",
            "tz": "Europe/Berlin",
        }
        for n in range(SENDERS)
    ]


@dataclass
class Load:
    """What the senders measured: latencies in ms of the counted requests, and the failures."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    seconds: float = 0.0
    split: list[int] = field(default_factory=list)
    """Connections held by each worker, counted once the warm-up is over."""
    server_cpu_ms: float = 0.0
    """CPU time the server's workers spent per counted request (warm-up included, so a little
    high), in ms."""

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _body(user: str, response_url: str) -> bytes:
    return urlencode(
        {
            "token": "bench",
            "team_id": TEAM,
            "team_domain": "larkspur",
            "channel_id": "D" + user[1:],
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/mentoring",
            "text": "me",
            "api_app_id": "A0MENTORBOT",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{int(time.time() * 1000)}.1.bench",
        }
    ).encode()


def _headers(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    base = b"v0:" + stamp.encode() + b":" + body
    signature = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


def send_load(
    served: Served,
    emulator: SlackEmulator,
    expected: bytes,
    seconds: float,
    per_sender_rate: float | None = None,
) -> Load:
    """SENDERS threads, each on its own keep-alive connection as its own person: as fast as
    the answers come back, or `per_sender_rate` commands a second each (evenly spread)."""
    load = Load()
    lock = threading.Lock()
    started = time.monotonic()
    counted_from = started + WARM_UP_S
    stop_at = counted_from + seconds
    sent = [0]

    def sender(user: str, n: int) -> None:
        body = _body(user, emulator.response_url(user, "D" + user[1:]))
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        interval = 1 / per_sender_rate if per_sender_rate else 0.0
        due = started + interval * n / SENDERS  # senders start spread over one interval
        try:
            while time.monotonic() < stop_at:
                with lock:
                    if sent[0] >= MAX_REQUESTS:
                        return
                if interval:  # on schedule; a send that is late does not bunch up the next
                    time.sleep(max(0.0, due - time.monotonic()))
                    due = max(due + interval, time.monotonic())
                began = time.monotonic()
                try:
                    connection.request("POST", "/slack/events", body, _headers(body))
                    reply = connection.getresponse()
                    data = reply.read()
                    problem = (
                        ""
                        if reply.status == 200 and expected in data
                        else (f"{reply.status} {data[:80]!r}")
                    )
                except (OSError, http.client.HTTPException) as error:
                    problem = repr(error)
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
                took_ms = (time.monotonic() - began) * 1000
                if began < counted_from:
                    continue
                with lock:
                    sent[0] += 1
                    if problem:
                        load.errors += 1
                        load.first_error = load.first_error or problem
                    else:
                        load.latencies.append(took_ms)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sender, args=(str(person["id"]), n), name=f"sender-{n}")
        for n, person in enumerate(bench_people())
    ]
    census = threading.Timer(WARM_UP_S, lambda: load.split.extend(connections_per_worker(served)))
    census.start()
    cpu_before = cpu_seconds(served.workers())
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    census.join()
    counted = len(load.latencies) + load.errors
    if counted:
        load.server_cpu_ms = (cpu_seconds(served.workers()) - cpu_before) * 1000 / counted
    load.seconds = min(time.monotonic(), stop_at) - counted_from
    return load
