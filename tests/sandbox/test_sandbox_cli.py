"""`mentorbot sandbox`: serves the page on the address asked for, prints it, stops cleanly."""

from __future__ import annotations

import io
import re
import socket
import threading
import urllib.request

import pytest

from bot.cli import main
from bot.cli.sandbox import PortBusy, run_sandbox
from tests.support import eventually


def test_sandbox_prints_its_url_and_serves_the_page() -> None:
    out, stop = io.StringIO(), threading.Event()
    runner = threading.Thread(target=run_sandbox, kwargs={"port": 0, "out": out, "stop": stop})
    runner.start()
    try:
        url = eventually(
            lambda: re.findall(r"Open (http://127\.0\.0\.1:\d+/) ", out.getvalue()), timeout=30
        )
        with urllib.request.urlopen(url[0], timeout=10) as reply:
            assert reply.status == 200 and b"Mentorbot sandbox" in reply.read()
    finally:
        stop.set()
        runner.join(timeout=30)
    assert not runner.is_alive()


def test_a_busy_port_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortBusy, match=f"cannot listen on 127.0.0.1:{port}"):
            run_sandbox(port=port, out=io.StringIO())
        assert main(["sandbox", "--port", str(port)]) == 2
    assert "pick another with --port" in capsys.readouterr().err


def test_sandbox_options_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sandbox", "--port", "http"])
    assert "'http' is not a port number" in capsys.readouterr().err
