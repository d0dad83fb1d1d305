"""What the domain needs from the outside world, bundled and passed down explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.contacts import RecentContacts
from bot.llm import Assistant, OfflineAssistant
from storage.db import Database

Clock = Callable[[], datetime]

SEEN_EVERY = timedelta(minutes=15)  # how stale a person's "last seen" may be before it is written


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    clock: Clock = field(default=system_clock)
    llm: Assistant = field(default_factory=OfflineAssistant)
    contacts: RecentContacts = field(default_factory=lambda: RecentContacts(SEEN_EVERY))

    def now(self) -> datetime:
        return self.clock()


class AdjustableClock:
    """A clock that stands still until moved: the demo and the sandbox fast-forward time with
    it, so nudges and follow-ups appear as they would over weeks."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment
