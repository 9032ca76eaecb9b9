"""Forgetting a user leaves no row that names them or their generations, and says what it deleted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from storage.database import Database
from storage.models import Base, Generation, GenerationKind
from storage.repositories import (
    ForgetReport,
    GenerationRepository,
    JamRepository,
    JobRepository,
    PreferenceRepository,
    RatingRepository,
    UserRepository,
)

pytestmark = pytest.mark.asyncio
ALICE = "alice-to-forget"
OWNED = ("aaaaaaaaaaa1", "aaaaaaaaaaa2")


async def _everything(db: Database) -> list[str]:
    """Every row of every table, as text."""
    async with db.session() as session:
        return [f"{table.name}: {tuple(row)}" for table in Base.metadata.sorted_tables
                for row in await session.execute(select(table))]


async def test_forget_leaves_nothing_behind(db: Database, make_generation: Callable[..., Generation]) -> None:
    async with db.session() as session:
        generations = GenerationRepository(session)
        await generations.add(make_generation(OWNED[0], user_id=ALICE, guild_id="g", channel_id="c"))
        await generations.add(make_generation(OWNED[1], user_id=ALICE, parent_ids=[OWNED[0]],
                                              kind=GenerationKind.VARIATION))
        await generations.add(make_generation("bbbbbbbbbbb1", user_id="bob"))
        await generations.add(make_generation("bbbbbbbbbbb2", user_id="bob", parent_ids=[OWNED[0], "bbbbbbbbbbb1"],
                                              kind=GenerationKind.INTERPOLATION))
        await generations.add(make_generation("ccccccccccc1", parent_ids=[OWNED[1]], kind=GenerationKind.CONTINUATION))
        ratings = RatingRepository(session)
        await ratings.rate(ALICE, "bbbbbbbbbbb1", 5)
        await ratings.rate(ALICE, OWNED[0], 4)
        await ratings.rate("bob", OWNED[0], 2)
        await ratings.rate("bob", "bbbbbbbbbbb1", 3)
        jams = JamRepository(session)
        await jams.start("thread-a", "g", ALICE, OWNED[1])  # alice's jam, her piece so far
        await jams.vote("thread-a", 1, ALICE, "bbbbbbbbbbb1")
        await jams.vote("thread-a", 1, "bob", "bbbbbbbbbbb2")
        await jams.start("thread-b", "g", "bob", "bbbbbbbbbbb1")
        await jams.vote("thread-b", 1, "bob", OWNED[0])  # bob voted for alice's piece
        await PreferenceRepository(session).set(ALICE, {"shift": [0.5] * 19})
        await PreferenceRepository(session).set("bob", {"shift": [0.1] * 19})
        jobs = JobRepository(session)
        await jobs.enqueue("compose", {"text": "jazz"}, user_id=ALICE)
        await jobs.enqueue("variation", {"of": OWNED[0]}, user_id=ALICE)
        bobs = await jobs.enqueue("compose", {"text": "blues"}, user_id="bob")
        assert await jobs.claim_next("w") is not None  # alice's first job is now running
    async with db.session() as session:
        jobs = JobRepository(session)
        while (claimed := await jobs.claim_next("w")) is not None and claimed.id != bobs.id:
            pass
        await jobs.finish(bobs.id, result_generation_id=OWNED[0])  # bob's job made from alice's piece

    assert any(ALICE in row for row in await _everything(db))
    async with db.session() as session:
        report = await UserRepository(session).forget(ALICE)
    assert report == ForgetReport(users=1, ratings=3, preferences=1, generations=2, jobs=2, jam_votes=2,
                                  children_unlinked=2)

    leftovers = [row for row in await _everything(db) if any(needle in row for needle in (ALICE, *OWNED))]
    assert leftovers == []
    async with db.session() as session:
        generations = GenerationRepository(session)
        survivor = await generations.get("bbbbbbbbbbb2")
        orphan = await generations.get("ccccccccccc1")
        assert survivor is not None and survivor.parent_ids == ["bbbbbbbbbbb1"]
        assert orphan is not None and orphan.parent_ids == []
        assert [r.user_id for r in await RatingRepository(session).for_generation("bbbbbbbbbbb1")] == ["bob"]
        assert await PreferenceRepository(session).get("bob") == {"shift": [0.1] * 19}
        job = await JobRepository(session).get(bobs.id)
        assert job is not None and job.status == "done" and job.result_generation_id is None
        jam = await JamRepository(session).get("thread-a")
        assert jam is not None and (jam.started_by, jam.head_id) == (None, None)  # bob's vote in it stays
        assert await JamRepository(session).tally("thread-a", 1) == {"bbbbbbbbbbb2": 1}
        assert await UserRepository(session).forget(ALICE) == ForgetReport(0, 0, 0, 0, 0, 0, 0)
