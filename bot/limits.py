"""Per-user cooldowns, and the count of jobs in flight that a graceful shutdown waits for."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class Cooldowns:
    """At most one accepted job per user every `seconds`."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def take(self, user: int) -> int | None:
        """None, recording the use, if `user` may start a job now; else the whole seconds left to wait."""
        now = self._clock()
        left = self._last.get(user, -math.inf) + self._seconds - now
        if left > 0:
            return math.ceil(left)
        self._last[user] = now
        return None


class InFlight:
    """Jobs accepted and not yet delivered; `drain` stops new ones and waits for these."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.closing = False

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    async def drain(self, timeout_s: float) -> bool:
        """Refuse new jobs from now on; True once all jobs in flight are done, False if `timeout_s` passed."""
        self.closing = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True
