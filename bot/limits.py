"""Per-user cooldowns, upload checks, and the count of jobs in flight that a graceful shutdown waits for."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from engine.mir.loading import ACCEPTED, MAX_BYTES


class Cooldowns:
    """At most one accepted job per user every `seconds`."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def take(self, user: int, seconds: float | None = None) -> int | None:
        """None, recording the use, if `user` may start a job now; else the whole seconds left to wait.

        `seconds` overrides the default cooldown (a channel's own setting)."""
        now = self._clock()
        left = self._last.get(user, -math.inf) + (self._seconds if seconds is None else seconds) - now
        if left > 0:
            return math.ceil(left)
        self._last[user] = now
        return None


class InFlight:
    """Jobs accepted and not yet delivered, in all and per server; `drain` stops new ones and waits for these."""

    def __init__(self, per_guild: int | None = None) -> None:
        self._count = 0
        self._per_guild = per_guild
        self._guilds: dict[int, int] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self.closing = False

    def guild_full(self, guild: int | None) -> bool:
        """Whether a server already has as many jobs in flight as it may (never outside a server)."""
        return guild is not None and self._per_guild is not None and self._guilds.get(guild, 0) >= self._per_guild

    @asynccontextmanager
    async def track(self, guild: int | None = None) -> AsyncIterator[None]:
        self._count += 1
        if guild is not None:
            self._guilds[guild] = self._guilds.get(guild, 0) + 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if guild is not None:
                self._guilds[guild] -= 1
                if not self._guilds[guild]:
                    del self._guilds[guild]
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


def upload_problem(filename: str, size: int) -> str | None:
    """Why an upload is refused before it is downloaded (type by suffix, size), or None."""
    suffix = Path(filename).suffix.lower()
    if suffix not in ACCEPTED:
        return f"I can read {', '.join(ACCEPTED)} files, not {suffix or 'files without a suffix'}."
    if size > MAX_BYTES:
        return f"{filename} is {size / 1024:.0f} KiB; the limit is {MAX_BYTES // 1024} KiB."
    return None
