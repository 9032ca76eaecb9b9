"""Preferences: per-user JSON values, above all the taste model's state, which `reset` wipes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Preference, utcnow
from ._sql import ensure_user, insert, row_count

TASTE = "taste"
"""The key of a user's taste model state (a few KB of floats)."""


class PreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: str, key: str = TASTE) -> Any:
        """The stored JSON value, or None when there is none."""
        query = select(Preference.value).where(Preference.user_id == user_id, Preference.key == key)
        return await self.session.scalar(query)

    async def all(self, user_id: str) -> dict[str, Any]:
        query = select(Preference.key, Preference.value).where(Preference.user_id == user_id)
        return {key: value for key, value in await self.session.execute(query.order_by(Preference.key))}

    async def set(self, user_id: str, value: Any, key: str = TASTE) -> None:
        """Store (or replace) a JSON-serialisable value."""
        await ensure_user(self.session, user_id)
        statement = insert(self.session, Preference).values(user_id=user_id, key=key, value=value, updated_at=utcnow())
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Preference.user_id, Preference.key],
                set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
            )
        )

    async def reset(self, user_id: str, key: str | None = None) -> int:
        """Delete one preference, or all of the user's when `key` is None; returns how many went."""
        statement = delete(Preference).where(Preference.user_id == user_id)
        if key is not None:
            statement = statement.where(Preference.key == key)
        return await row_count(self.session, statement)
