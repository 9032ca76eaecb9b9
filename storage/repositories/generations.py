"""Generations: stored compositions, listed per user or channel, ranked by rating, and traced to their children."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Generation, Rating
from ._sql import ensure_user, has_parent_in


@dataclass(frozen=True)
class RatedGeneration:
    generation: Generation
    mean: float
    votes: int


class GenerationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, generation: Generation) -> Generation:
        """Store a new generation (creating its user's row if needed)."""
        if generation.user_id is not None:
            await ensure_user(self.session, generation.user_id)
        self.session.add(generation)
        await self.session.flush()
        return generation

    async def get(self, generation_id: str) -> Generation | None:
        return await self.session.get(Generation, generation_id)

    async def list_by_user(self, user_id: str, limit: int = 20) -> list[Generation]:
        """The user's generations, newest first."""
        query = select(Generation).where(Generation.user_id == user_id)
        return list(await self.session.scalars(query.order_by(Generation.created_at.desc()).limit(limit)))

    async def list_by_channel(self, channel_id: str, limit: int = 20) -> list[Generation]:
        """The channel's generations, newest first."""
        query = select(Generation).where(Generation.channel_id == channel_id)
        return list(await self.session.scalars(query.order_by(Generation.created_at.desc()).limit(limit)))

    async def latest(self, limit: int = 20) -> list[Generation]:
        """Everyone's generations, newest first."""
        return list(await self.session.scalars(select(Generation).order_by(Generation.created_at.desc()).limit(limit)))

    async def top_rated(
        self, *, guild_id: str | None = None, channel_id: str | None = None, limit: int = 10, min_votes: int = 1
    ) -> list[RatedGeneration]:
        """Best mean rating first (ties: more votes, then newer) among generations with at least `min_votes`.

        Limited to a channel and/or a guild when given, else across everything.
        """
        mean = func.avg(cast(Rating.score, Float)).label("mean")
        votes = func.count().label("votes")
        ranked = select(Rating.generation_id, mean, votes).join(Generation, Generation.id == Rating.generation_id)
        if guild_id is not None:
            ranked = ranked.where(Generation.guild_id == guild_id)
        if channel_id is not None:
            ranked = ranked.where(Generation.channel_id == channel_id)
        stats = ranked.group_by(Rating.generation_id).having(func.count() >= min_votes).subquery()
        query = (
            select(Generation, stats.c.mean, stats.c.votes)
            .join(stats, stats.c.generation_id == Generation.id)
            .order_by(stats.c.mean.desc(), stats.c.votes.desc(), Generation.created_at.desc(), Generation.id)
            .limit(limit)
        )
        rows = await self.session.execute(query)
        return [RatedGeneration(generation, float(mean), int(votes)) for generation, mean, votes in rows]

    async def children_of(self, generation_id: str) -> list[Generation]:
        """Generations derived from this one (variations, continuations, interpolations), oldest first."""
        query = select(Generation).where(has_parent_in(self.session, [generation_id]))
        return list(await self.session.scalars(query.order_by(Generation.created_at, Generation.id)))
