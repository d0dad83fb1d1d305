"""Who this process noted lately as using Mentorbot, so a burst of commands writes no row each.

Only a hint: a process that has not noted someone (a fresh worker, another one) asks the
database, which stays the truth. Bounded, so a huge workspace cannot grow it without limit.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

MAX_REMEMBERED = 50_000


class RecentContacts:
    def __init__(self, within: timedelta, *, limit: int = MAX_REMEMBERED) -> None:
        self.within = within
        self.limit = limit
        self._noted: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def recent(self, team_id: str, user_id: str, now: datetime) -> bool:
        """True when the person was noted less than `within` before `now`."""
        at = self._noted.get((team_id, user_id))
        return at is not None and self.fresh(at, now)

    def fresh(self, at: datetime, now: datetime) -> bool:
        """True when `at` lies less than `within` before `now`."""
        return timedelta(0) <= now - at < self.within

    def note(self, team_id: str, user_id: str, at: datetime) -> None:
        with self._lock:
            if len(self._noted) >= self.limit:
                self._prune(at)
            self._noted[(team_id, user_id)] = at

    def forget(self, team_id: str, user_id: str) -> None:
        with self._lock:
            self._noted.pop((team_id, user_id), None)

    def _prune(self, now: datetime) -> None:
        self._noted = {k: at for k, at in self._noted.items() if now - at < self.within}
        if len(self._noted) >= self.limit:
            self._noted.clear()
