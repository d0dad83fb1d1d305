"""Real HTTP servers in subprocesses, for the benches and the hardening tests: `mentorbot serve`
(gunicorn with Mentorbot's workers) and `bench/bare_bolt.py` (the same gunicorn settings around a
Bolt app that only acks). Also the process tree and its resident memory, read from /proc.

Not a bench itself (run_all skips modules starting with `_`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MENTORBOT = shutil.which("mentorbot", path=str(Path(sys.executable).parent)) or "mentorbot"
BOOT_TIMEOUT = 40.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any Mentorbot, Slack or OpenAI setting (a developer's
    .env or shell must not leak into a bench), plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_", "OPENAI_", "DATABASE_URL", "PORT"))
    }
    env.update(extra)
    return env


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def tree(self) -> list[int]:
        """The master's pid and its children's (the workers), master first."""
        return [self.process.pid, *children(self.process.pid)]

    def workers(self) -> list[int]:
        return children(self.process.pid)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pid: int) -> int:
    """Proportional set size in KiB: pages shared after fork are split between the sharers, so
    the PSS of a process tree adds up to what it really holds (0 if unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _wait_healthy(served: Served, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(
                f"server exited with {served.process.returncode}:\n{served.log.read_text()}"
            )
        try:
            with urllib.request.urlopen(served.url + "/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no healthy /healthz within {timeout}s:\n{served.log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


@contextmanager
def _running(command: list[str], env: dict[str, str], folder: Path, port: int) -> Iterator[Served]:
    log = folder / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    served = Served(process=process, url=f"http://127.0.0.1:{port}", log=log)
    try:
        _wait_healthy(served, BOOT_TIMEOUT)
        yield served
    finally:
        _stop(process)


@contextmanager
def mentorbot_serve(
    *,
    folder: Path,
    database_url: str,
    api_url: str,
    signing_secret: str,
    bot_token: str,
    workers: int,
    threads: int,
    log_level: str = "WARNING",
) -> Iterator[Served]:
    """`mentorbot serve` on a free loopback port, healthy when yielded, stopped after."""
    port = free_port()
    command = [
        *(MENTORBOT, "--log-level", log_level, "serve", "--host", "127.0.0.1"),
        *("--port", str(port), "--workers", str(workers), "--threads", str(threads)),
    ]
    env = clean_env(
        SLACK_BOT_TOKEN=bot_token,
        SLACK_SIGNING_SECRET=signing_secret,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
    )
    with _running(command, env, folder, port) as served:
        yield served


@contextmanager
def bare_bolt_serve(
    *,
    folder: Path,
    api_url: str,
    signing_secret: str,
    bot_token: str,
    workers: int,
    threads: int,
) -> Iterator[Served]:
    """bench/bare_bolt.py (a Bolt app that only acks) on the same gunicorn settings."""
    port = free_port()
    command = [
        *(sys.executable, str(ROOT / "bench" / "bare_bolt.py"), "--port", str(port)),
        *("--workers", str(workers), "--threads", str(threads)),
    ]
    env = clean_env(
        SLACK_BOT_TOKEN=bot_token,
        SLACK_SIGNING_SECRET=signing_secret,
        SLACK_API_URL=api_url,
        PYTHONPATH=str(ROOT),
    )
    with _running(command, env, folder, port) as served:
        yield served


def connections_per_worker(served: Served) -> list[int]:
    """How many established client connections each worker holds, workers in pid order: gunicorn
    lets whichever worker wakes first accept, so keep-alive clients that connect together can
    land 44/6 as easily as 25/25."""
    listening = {f"{served.port:04X}"}
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = fields[1].rsplit(":", 1)[1]
            if local_port in listening and fields[3] == "01":  # 01: ESTABLISHED
                established.add(fields[9])  # the socket's inode
    counts = []
    for pid in served.workers():
        held = 0
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in established:
                held += 1
        counts.append(held)
    return counts


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far, in seconds (/proc/PID/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


@dataclass(frozen=True)
class Memory:
    """KiB per process (master first) and the tree's PSS, at one moment."""

    rss: list[int]
    pss_total: int

    @property
    def worker_max_mb(self) -> float:
        return max(self.rss[1:], default=0) / 1024

    @property
    def tree_mb(self) -> float:
        return sum(self.rss) / 1024


def memory_of(served: Served) -> Memory:
    pids = served.tree()
    return Memory([rss_kib(pid) for pid in pids], sum(pss_kib(pid) for pid in pids))


@contextmanager
def peak_memory(served: Served) -> Iterator[list[Memory]]:
    """Samples the tree's memory twice a second while the block runs; yields the samples."""
    samples: list[Memory] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append(memory_of(served))

    thread = threading.Thread(target=sample, name="memory-sampler", daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        done.set()
        thread.join()
