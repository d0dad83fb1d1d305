"""`mentorbot sandbox`: the app, the built-in Slack emulator and the sandbox page on localhost."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from bot.cli.stage import quiet_logs
from bot.local_server import serve_in_thread
from bot.sandbox.web import SandboxWebApp, allowed_hosts
from bot.sandbox.world import Sandbox

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025


class PortBusy(Exception):
    """The sandbox could not bind its address."""


def run_sandbox(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    out: TextIO = sys.stdout,
    stop: threading.Event | None = None,
) -> int:
    """Serve until Ctrl+C (or until `stop` is set, for tests)."""
    with quiet_logs():
        sandbox = Sandbox()
        try:
            try:
                server = serve_in_thread(
                    SandboxWebApp(sandbox, hosts=allowed_hosts(host)), host=host, port=port
                )
            except OSError as error:
                raise PortBusy(
                    f"cannot listen on {host}:{port} ({error.strerror}): "
                    "pick another with --port (0 takes any free port)"
                ) from None
            out.write(
                "Mentorbot sandbox: the app and a pretend Slack workspace, on this machine only.\n"
                f"Open {server.url}/ in your browser. Ctrl+C stops it.\n"
            )
            out.flush()
            try:
                (stop or threading.Event()).wait()
            except KeyboardInterrupt:
                out.write("\nStopped.\n")
            finally:
                server.stop()
        finally:
            sandbox.close()
    return 0
