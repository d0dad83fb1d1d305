"""A running sandbox (its own SQLite database, emulator and app) served on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.local_server import RunningServer, serve_in_thread
from bot.sandbox.web import SandboxWebApp
from bot.sandbox.world import Sandbox


@dataclass
class RunningSandbox:
    sandbox: Sandbox
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def running_sandbox() -> Iterator[RunningSandbox]:
    sandbox = Sandbox()
    server = serve_in_thread(SandboxWebApp(sandbox))
    try:
        yield RunningSandbox(sandbox, server)
    finally:
        server.stop()
        sandbox.close()
