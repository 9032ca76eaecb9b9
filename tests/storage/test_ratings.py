"""Ratings: one vote per user and generation, also under concurrent writers; statistics; the top-rated list."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from storage.database import Database
from storage.models import Generation, Rating
from storage.repositories import GenerationRepository, NotFound, RatingRepository, RatingStats

pytestmark = pytest.mark.asyncio
MakeGeneration = Callable[..., Generation]


async def _add(db: Database, *generations: Generation) -> None:
    async with db.session() as session:
        for generation in generations:
            await GenerationRepository(session).add(generation)


async def _rate(db: Database, user_id: str, generation_id: str, score: int) -> None:
    async with db.session() as session:
        await RatingRepository(session).rate(user_id, generation_id, score)


async def _rows(db: Database, generation_id: str) -> list[Rating]:
    async with db.session() as session:
        return await RatingRepository(session).for_generation(generation_id)


async def test_re_rating_replaces_the_vote(db: Database, make_generation: MakeGeneration) -> None:
    await _add(db, make_generation("g00000000001"))
    await _rate(db, "erin", "g00000000001", 2)
    [first] = await _rows(db, "g00000000001")
    await _rate(db, "erin", "g00000000001", 5)
    [again] = await _rows(db, "g00000000001")
    assert (again.score, again.created_at) == (5, first.created_at)
    assert again.updated_at >= first.updated_at


async def test_concurrent_re_ratings_leave_one_submitted_vote(
    db: Database, peers: list[Database], make_generation: MakeGeneration
) -> None:
    await _add(db, make_generation("g00000000002", user_id="frank"))  # the user exists: the votes race each other
    scores = [1 + i % 5 for i in range(50)]
    await asyncio.gather(*(_rate(peers[i % len(peers)], "frank", "g00000000002", s) for i, s in enumerate(scores)))
    rows = await _rows(db, "g00000000002")
    assert len(rows) == 1 and rows[0].user_id == "frank" and rows[0].score in scores


async def test_concurrent_votes_of_different_users_all_persist(
    db: Database, peers: list[Database], make_generation: MakeGeneration
) -> None:
    await _add(db, make_generation("g00000000003"), *(make_generation(user_id=f"user{i}") for i in range(40)))
    await asyncio.gather(*(_rate(peers[i % len(peers)], f"user{i}", "g00000000003", 1 + i % 5) for i in range(40)))
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Rating))
        stats = await RatingRepository(session).stats("g00000000003")
    assert count == 40
    assert stats == RatingStats(40, 3.0, {1: 8, 2: 8, 3: 8, 4: 8, 5: 8})


async def test_bad_votes_are_refused(db: Database, make_generation: MakeGeneration) -> None:
    await _add(db, make_generation("g00000000004"))
    async with db.session() as session:
        ratings = RatingRepository(session)
        with pytest.raises(ValueError):
            await ratings.rate("gina", "g00000000004", 6)
        with pytest.raises(NotFound):
            await ratings.rate("gina", "000000000000", 3)
        assert await ratings.stats("g00000000004") == RatingStats(0, None, {})


async def test_list_for_user_brings_the_generations(db: Database, make_generation: MakeGeneration) -> None:
    await _add(db, make_generation("g00000000005"), make_generation("g00000000006"))
    await _rate(db, "hank", "g00000000005", 4)
    await _rate(db, "hank", "g00000000006", 1)
    async with db.session() as session:
        votes = await RatingRepository(session).list_for_user("hank")
    assert [(v.generation_id, v.score, v.generation.features["tempo"]) for v in votes] == [
        ("g00000000006", 1, 120.0), ("g00000000005", 4, 120.0)]


async def test_top_rated_orders_by_mean_then_votes(db: Database, make_generation: MakeGeneration) -> None:
    await _add(db, *(make_generation(f"c1{i:010d}", guild_id="g", channel_id="c1") for i in range(4)),
               make_generation("c20000000000", guild_id="g", channel_id="c2"),
               make_generation("xx0000000000", guild_id="other", channel_id="c9"))
    votes = {"c10000000000": [5, 5], "c10000000001": [5], "c10000000002": [3, 4], "c20000000000": [5, 5, 5],
             "xx0000000000": [5, 5, 5, 5]}  # c10000000003 has no votes
    await asyncio.gather(*(_rate(db, f"u{n}", gid, score) for gid, scores in votes.items()
                           for n, score in enumerate(scores)))
    async with db.session() as session:
        repo = GenerationRepository(session)
        channel = await repo.top_rated(channel_id="c1")
        assert [(r.generation.id, r.mean, r.votes) for r in channel] == [
            ("c10000000000", 5.0, 2), ("c10000000001", 5.0, 1), ("c10000000002", 3.5, 2)]
        assert [r.generation.id for r in await repo.top_rated(channel_id="c1", min_votes=2)] == [
            "c10000000000", "c10000000002"]
        assert [r.generation.id for r in await repo.top_rated(guild_id="g", limit=2)] == [
            "c20000000000", "c10000000000"]
        assert (await repo.top_rated(limit=1))[0].generation.id == "xx0000000000"
