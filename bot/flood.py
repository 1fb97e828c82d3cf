"""A per-person flood limit: one polite notice, then silence until the person slows down.

Pure and clock-injected, so adapters and tests share one rule. Every message counts, the
dropped ones too: someone who keeps sending stays paused until a whole window is quiet enough.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from enum import Enum

WINDOW_SECONDS = 60.0
_SWEEP_EVERY = 1000  # forget idle people now and then, so memory stays bounded


class Verdict(Enum):
    ALLOW = "allow"  # answer as usual
    NOTICE = "notice"  # over the limit for the first time: say "slow down" once
    DROP = "drop"  # still over the limit: no answer at all


class FloodLimiter:
    """At most `limit` messages per `window` seconds per key (a Telegram user id)."""

    def __init__(
        self,
        limit: int,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        self._window = window
        self._clock = clock
        self._seen: dict[Hashable, deque[float]] = {}
        self._noticed: set[Hashable] = set()
        self._checks = 0

    def check(self, key: Hashable) -> Verdict:
        """Count one message from `key` and say what to do with it."""
        now = self._clock()
        self._sweep(now)
        times = self._seen.setdefault(key, deque())
        _expire(times, now - self._window)
        times.append(now)
        if len(times) <= self._limit:
            self._noticed.discard(key)
            return Verdict.ALLOW
        if key in self._noticed:
            return Verdict.DROP
        self._noticed.add(key)
        return Verdict.NOTICE

    def __len__(self) -> int:
        """How many people are being tracked (for tests and monitoring)."""
        return len(self._seen)

    def _sweep(self, now: float) -> None:
        self._checks += 1
        if self._checks % _SWEEP_EVERY:
            return
        horizon = now - self._window
        for key in [k for k, times in self._seen.items() if not times or times[-1] < horizon]:
            del self._seen[key]
            self._noticed.discard(key)


def _expire(times: deque[float], horizon: float) -> None:
    while times and times[0] <= horizon:
        times.popleft()
