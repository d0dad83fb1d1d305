"""The sandbox's simulated time: a clock that stands still until moved, and remembers each move
so a message can be labelled with the simulated moment it was posted at."""

from __future__ import annotations

import bisect
import time
from datetime import datetime, timedelta

from bot.services import AdjustableClock


class RecordingClock(AdjustableClock):
    """An AdjustableClock that notes, for each move, the wall-clock second it happened."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._moves: list[tuple[float, datetime]] = [(0.0, start)]

    def advance(self, delta: timedelta) -> datetime:
        moment = super().advance(delta)
        self._moves.append((time.time(), moment))
        return moment

    def set(self, moment: datetime) -> None:
        super().set(moment)
        self._moves.append((time.time(), moment))

    def at(self, wall_seconds: float) -> datetime:
        """The simulated time it was at wall-clock second `wall_seconds`."""
        return simulated_at(self._moves, wall_seconds)


def simulated_at(moves: list[tuple[float, datetime]], wall_seconds: float) -> datetime:
    """The clock's value after the last move made at or before `wall_seconds` (moves sorted)."""
    index = bisect.bisect_right([second for second, _ in moves], wall_seconds) - 1
    return moves[max(index, 0)][1]
