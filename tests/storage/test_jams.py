"""Jams: one vote per member per round (voting again replaces), tallies, advancing, ending."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from storage.database import Database
from storage.models import Generation
from storage.repositories import GenerationRepository, JamRepository

pytestmark = pytest.mark.asyncio


async def test_votes_tally_per_round_and_the_winner_becomes_the_piece(
        db: Database, make_generation: Callable[..., Generation]) -> None:
    async with db.session() as session:
        for gen_id in ("a00000000000", "b00000000000", "c00000000000", "d00000000000"):
            await GenerationRepository(session).add(make_generation(gen_id, user_id="host"))
        jam = await JamRepository(session).start("t1", "g1", "host", "a00000000000")
        assert (jam.round, jam.head_id) == (1, "a00000000000")
    await asyncio.gather(*(_vote(db, user, "b00000000000") for user in ("u1", "u2", "u3")))
    await _vote(db, "u3", "c00000000000")  # u3 changes their mind: replaces, not adds
    async with db.session() as session:
        jams = JamRepository(session)
        assert await jams.tally("t1", 1) == {"b00000000000": 2, "c00000000000": 1}
        jam = await jams.advance("t1", "b00000000000")
        assert (jam.round, jam.head_id) == (2, "b00000000000")
        assert await jams.tally("t1", 2) == {}
        await jams.vote("t1", 2, "u1", "d00000000000")
        assert await jams.end("t1") and not await jams.end("t1")
        assert await jams.get("t1") is None and await jams.tally("t1", 2) == {}


async def _vote(db: Database, user: str, generation_id: str) -> None:
    async with db.session() as session:
        await JamRepository(session).vote("t1", 1, user, generation_id)
