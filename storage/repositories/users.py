"""Users: created on first use, and forgotten completely on request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Generation, Jam, JamVote, Job, Preference, Rating, User
from ._sql import ensure_user, has_parent_in, row_count

_CHUNK = 500  # ids per query when looking for children


@dataclass(frozen=True)
class ForgetReport:
    """Rows deleted per table, and how many other users' generations lost a parent link."""

    users: int
    ratings: int
    preferences: int
    generations: int
    jobs: int
    jam_votes: int
    children_unlinked: int

    def to_json(self) -> dict[str, int]:
        return asdict(self)


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def get_or_create(self, user_id: str) -> User:
        await ensure_user(self.session, user_id)
        user = await self.session.get(User, user_id)
        assert user is not None
        return user

    async def forget(self, user_id: str) -> ForgetReport:
        """Delete everything of the user's: see docs/storage.md ("Forgetting a user") for what that covers.

        Their ratings, preferences, jobs and generations go, and with those generations every rating of
        them (by anyone). Other users' generations derived from theirs are kept, with the forgotten
        parents removed from `parent_ids`.
        """
        owned = select(Generation.id).where(Generation.user_id == user_id)
        unlinked = await self._unlink_children((await self.session.scalars(owned)).all(), user_id)
        await self.session.execute(update(Jam).where(Jam.started_by == user_id).values(started_by=None))
        await self.session.execute(update(Jam).where(Jam.head_id.in_(owned)).values(head_id=None))
        return ForgetReport(
            ratings=await row_count(
                self.session, delete(Rating).where(or_(Rating.user_id == user_id, Rating.generation_id.in_(owned)))
            ),
            preferences=await row_count(self.session, delete(Preference).where(Preference.user_id == user_id)),
            jobs=await row_count(self.session, delete(Job).where(Job.user_id == user_id)),
            jam_votes=await row_count(self.session, delete(JamVote).where(
                or_(JamVote.user_id == user_id, JamVote.generation_id.in_(owned)))),
            generations=await row_count(self.session, delete(Generation).where(Generation.user_id == user_id)),
            users=await row_count(self.session, delete(User).where(User.id == user_id)),
            children_unlinked=unlinked,
        )

    async def _unlink_children(self, owned: Sequence[str], user_id: str) -> int:
        """Remove `owned` from the parents of other users' generations; returns how many changed."""
        gone = set(owned)
        children: dict[str, Generation] = {}
        for start in range(0, len(owned), _CHUNK):
            others = Generation.user_id.is_distinct_from(user_id)
            query = select(Generation).where(others, has_parent_in(self.session, owned[start : start + _CHUNK]))
            children.update((child.id, child) for child in await self.session.scalars(query))
        for child in children.values():
            child.parent_ids = [parent for parent in child.parent_ids if parent not in gone]
        await self.session.flush()
        return len(children)
