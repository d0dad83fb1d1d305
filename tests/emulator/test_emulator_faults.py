"""Injected 429s and 5xxs: slack_sdk's retry handlers recover and each call lands exactly once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.emulator import SlackEmulator
from bot.emulator.server import DEFAULT_TOKEN


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(seed=7) as emu:
        yield emu


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the retry handlers' back-off instead of sleeping through it."""
    slept: list[float] = []
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.time.sleep", slept.append)
    monkeypatch.setattr("slack_sdk.http_retry.handler.time.sleep", slept.append)
    return slept


def test_rate_limits_are_retried_after_retry_after(
    emulator: SlackEmulator, sleeps: list[float]
) -> None:
    emulator.set_faults(rate_429=0.5, retry_after=3, methods={"chat.postMessage"})
    client = WebClient(
        base_url=emulator.api_url,
        token=DEFAULT_TOKEN,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=30)],
    )
    for n in range(6):
        client.chat_postMessage(channel="U0JONAH01", text=f"nudge {n}")
    assert [m["text"] for m in emulator.messages("D0JONAH01")] == [f"nudge {n}" for n in range(6)]
    assert len(emulator.calls("chat.postMessage")) == 6
    limited = [c for c in emulator.calls("chat.postMessage", include_failed=True) if not c.ok]
    assert limited
    assert {(c.status, c.error) for c in limited} == {(429, "ratelimited")}
    assert len(sleeps) == len(limited)
    assert all(3 <= s < 4 for s in sleeps)


def test_server_errors_are_retried(emulator: SlackEmulator, sleeps: list[float]) -> None:
    emulator.set_faults(rate_5xx=0.5)
    client = WebClient(
        base_url=emulator.api_url,
        token=DEFAULT_TOKEN,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=30)],
    )
    client.auth_test()  # exempt unless listed
    for n in range(6):
        client.chat_postMessage(channel="C0COORD", text=f"digest {n}")
    assert len(emulator.messages("C0COORD")) == 6
    assert len(emulator.calls("chat.postMessage")) == 6
    failed = [c for c in emulator.calls(include_failed=True) if not c.ok]
    assert failed
    assert {c.status for c in failed} <= {500, 503}
    assert "auth.test" not in {c.method for c in failed}


def test_a_fault_happens_before_the_call_takes_effect(emulator: SlackEmulator) -> None:
    emulator.set_faults(rate_429=1.0, retry_after=9)
    client = WebClient(base_url=emulator.api_url, token=DEFAULT_TOKEN)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="U0JONAH01", text="lost")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "9"
    assert emulator.messages("D0JONAH01") == []
    assert emulator.seen() == []
    assert client.auth_test()["ok"]
    emulator.set_faults(rate_429=1.0, methods={"auth.test"})
    with pytest.raises(SlackApiError):
        client.auth_test()


def test_faults_are_reproducible_with_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        with SlackEmulator(seed=seed) as emu:
            emu.set_faults(rate_5xx=0.5)
            client = WebClient(base_url=emu.api_url, token=DEFAULT_TOKEN)
            for _ in range(12):
                with contextlib.suppress(SlackApiError):
                    client.team_info()
            return [c.ok for c in emu.calls(include_failed=True)]

    assert pattern(3) == pattern(3)
    assert pattern(3) != pattern(4)
