"""Per-user cooldowns and the in-flight count that shutdown waits for."""

from __future__ import annotations

import asyncio

import pytest

from bot.limits import Cooldowns, InFlight


def test_a_cooldown_is_per_user_and_counts_whole_seconds_left() -> None:
    now = [100.0]
    cooldowns = Cooldowns(10, clock=lambda: now[0])
    assert cooldowns.take(1) is None
    assert cooldowns.take(2) is None
    now[0] = 102.5
    assert cooldowns.take(1) == 8  # refused: 7.5 s left, said as 8
    now[0] = 110.0
    assert cooldowns.take(1) is None


@pytest.mark.asyncio
async def test_drain_waits_for_tracked_jobs_and_gives_up_after_the_timeout() -> None:
    inflight = InFlight()
    done = asyncio.Event()

    async def job() -> None:
        async with inflight.track():
            await done.wait()

    task = asyncio.create_task(job())
    await asyncio.sleep(0)
    assert await inflight.drain(0.05) is False and inflight.closing
    done.set()
    await task
    assert await inflight.drain(0.05) is True
