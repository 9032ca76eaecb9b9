"""The engine's queue inside the bot: one job at a time on a worker thread, in arrival order.

Engine calls are synchronous and CPU-heavy, so they run off the event loop on a single thread; callers
learn how many jobs are ahead of them, and a full queue refuses at once with an estimate of the wait
instead of letting requests pile up.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .errors import Busy

T = TypeVar("T")
Progress = Callable[[int], Awaitable[None]]
"""Told how many jobs are ahead; 0 means the job has started."""


class EngineQueue:
    """At most `limit` jobs waiting or running; they run one by one on one worker thread, in arrival order."""

    def __init__(self, limit: int, expected_job_s: float = 2.0) -> None:
        self._limit = limit
        self._line: deque[object] = deque()
        """One ticket per job waiting or running; the running one is first."""
        self._moved = asyncio.Event()
        """Set (and replaced) whenever a job leaves the line."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cadenza-engine")
        self._job_s = expected_job_s  # running mean of job durations, for "try again in N s"
        self._closed = False

    async def run(self, call: Callable[[], T], progress: Progress) -> T:
        """`call()` on the worker thread once the jobs ahead are done; Busy if the queue is full or closed.

        `progress` is told the number of jobs ahead whenever it changes, and 0 as the job starts."""
        if self._closed:
            raise Busy(60, "restarting")
        if len(self._line) >= self._limit:
            raise Busy(max(1, math.ceil(len(self._line) * self._job_s)))
        ticket = object()
        self._line.append(ticket)
        try:
            shown = 0
            while (ahead := self._line.index(ticket)) > 0:
                if ahead != shown:
                    shown = ahead
                    await progress(ahead)  # the line may move meanwhile: look again before waiting
                else:
                    await self._moved.wait()
            started = time.monotonic()
            job = asyncio.get_running_loop().run_in_executor(self._executor, call)
            await progress(0)
            result = await job
            self._job_s = 0.8 * self._job_s + 0.2 * (time.monotonic() - started)
            return result
        finally:
            self._line.remove(ticket)
            self._moved.set()
            self._moved = asyncio.Event()

    async def close(self) -> None:
        """Refuse new jobs and wait (off the event loop) for the running one to finish."""
        self._closed = True
        await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
