"""Ratings: one vote per user and generation, where re-rating replaces the vote atomically."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ..models import Generation, Rating, utcnow
from ._sql import NotFound, ensure_user, insert


@dataclass(frozen=True)
class RatingStats:
    votes: int
    mean: float | None
    histogram: dict[int, int]
    """score (1–5) → votes."""


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rate(self, user_id: str, generation_id: str, score: int) -> Rating:
        """Record the user's vote, replacing an earlier one (a single UPSERT, safe under concurrent writers).

        Raises ValueError for a score outside 1–5 and NotFound for an unknown generation.
        """
        if not 1 <= score <= 5:
            raise ValueError(f"a rating is 1–5, not {score}")
        if await self.session.scalar(select(Generation.id).where(Generation.id == generation_id)) is None:
            raise NotFound(f"no generation {generation_id}")
        await ensure_user(self.session, user_id)
        now = utcnow()
        statement = insert(self.session, Rating).values(
            user_id=user_id, generation_id=generation_id, score=score, created_at=now, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[Rating.user_id, Rating.generation_id],
            set_={"score": statement.excluded.score, "updated_at": statement.excluded.updated_at},
        )
        result = await self.session.scalars(statement.returning(Rating), execution_options={"populate_existing": True})
        return result.one()

    async def list_for_user(self, user_id: str, limit: int | None = None) -> list[Rating]:
        """The user's votes with their generations loaded, most recently cast first."""
        query = (
            select(Rating)
            .where(Rating.user_id == user_id)
            .options(joinedload(Rating.generation))
            .order_by(Rating.updated_at.desc(), Rating.generation_id)
            .limit(limit)
        )
        return list(await self.session.scalars(query))

    async def for_generation(self, generation_id: str) -> list[Rating]:
        """Every vote on a generation, oldest first."""
        query = select(Rating).where(Rating.generation_id == generation_id)
        return list(await self.session.scalars(query.order_by(Rating.updated_at, Rating.user_id)))

    async def stats(self, generation_id: str) -> RatingStats:
        query = select(Rating.score, func.count()).where(Rating.generation_id == generation_id).group_by(Rating.score)
        histogram = {int(score): int(votes) for score, votes in await self.session.execute(query)}
        votes = sum(histogram.values())
        mean = sum(score * n for score, n in histogram.items()) / votes if votes else None
        return RatingStats(votes, mean, dict(sorted(histogram.items())))
