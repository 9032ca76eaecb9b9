"""The engine queue: order, positions, refusal when full or closed."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.errors import Busy
from bot.worker import EngineQueue

pytestmark = pytest.mark.asyncio


async def test_jobs_run_one_at_a_time_in_order_and_learn_their_position() -> None:
    queue = EngineQueue(limit=3)
    release = threading.Event()
    finished: list[str] = []
    seen: dict[str, list[int]] = {"a": [], "b": [], "c": []}

    def job(name: str) -> str:
        if name == "a":
            release.wait(5)
        finished.append(name)
        return name

    async def submit(name: str) -> str:
        async def progress(ahead: int) -> None:
            seen[name].append(ahead)
        return await queue.run(lambda: job(name), progress)

    tasks = [asyncio.create_task(submit(name)) for name in "abc"]
    while seen["c"] != [2]:
        await asyncio.sleep(0.01)
    with pytest.raises(Busy, match=r"busy; try again in \d+ s"):
        await queue.run(lambda: "d", lambda ahead: asyncio.sleep(0))
    release.set()
    assert await asyncio.gather(*tasks) == ["a", "b", "c"] == finished
    assert seen == {"a": [0], "b": [1, 0], "c": [2, 1, 0]}
    await queue.close()
    with pytest.raises(Busy, match="restarting"):
        await queue.run(lambda: "e", lambda ahead: asyncio.sleep(0))
