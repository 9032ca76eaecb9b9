"""Jams: a shared piece per thread that grows by the section its members vote for."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Jam, JamVote, utcnow
from ._sql import ensure_user, insert, row_count


class JamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start(self, thread_id: str, guild_id: str | None, started_by: str, head_id: str) -> Jam:
        """A new jam in a thread, its piece so far being `head_id`."""
        await ensure_user(self.session, started_by)
        jam = Jam(thread_id=thread_id, guild_id=guild_id, started_by=started_by, head_id=head_id, round=1)
        self.session.add(jam)
        await self.session.flush()
        return jam

    async def get(self, thread_id: str) -> Jam | None:
        return await self.session.get(Jam, thread_id)

    async def vote(self, thread_id: str, round_: int, user_id: str, generation_id: str) -> None:
        """Record (or replace) a member's vote in a round."""
        await ensure_user(self.session, user_id)
        statement = insert(self.session, JamVote).values(thread_id=thread_id, round=round_, user_id=user_id,
                                                         generation_id=generation_id, created_at=utcnow())
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=[JamVote.thread_id, JamVote.round, JamVote.user_id],
            set_={"generation_id": statement.excluded.generation_id, "created_at": statement.excluded.created_at}))

    async def tally(self, thread_id: str, round_: int) -> Counter[str]:
        """Votes per proposal in a round."""
        query = select(JamVote.generation_id).where(JamVote.thread_id == thread_id, JamVote.round == round_)
        return Counter(await self.session.scalars(query))

    async def advance(self, thread_id: str, head_id: str) -> Jam:
        """The chosen section becomes the piece so far; the next round begins."""
        await self.session.execute(update(Jam).where(Jam.thread_id == thread_id).values(
            head_id=head_id, round=Jam.round + 1, updated_at=utcnow()))
        jam = await self.session.get(Jam, thread_id, populate_existing=True)
        assert jam is not None
        return jam

    async def end(self, thread_id: str) -> bool:
        """Close a jam (its votes go with it); True if there was one."""
        return await row_count(self.session, delete(Jam).where(Jam.thread_id == thread_id)) > 0
