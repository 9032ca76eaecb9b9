"""What the repositories share: dialect-specific INSERT (for upserts), row counts, and creating users on demand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Executable, func, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Base, Generation, User, utcnow


class NotFound(LookupError):
    """A row the operation needs does not exist."""


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert(session: AsyncSession, model: type[Base]) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that offers ON CONFLICT (atomic upserts) on the session's backend."""
    dialect = dialect_of(session)
    if dialect == "sqlite":
        return sqlite.insert(model)
    if dialect == "postgresql":
        return postgresql.insert(model)
    raise NotImplementedError(f"storage supports SQLite and PostgreSQL, not {dialect}")


async def row_count(session: AsyncSession, statement: Executable) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return cast(CursorResult[Any], await session.execute(statement)).rowcount


async def ensure_user(session: AsyncSession, user_id: str) -> None:
    """Create the user's row unless it exists; safe when concurrent sessions create the same user."""
    statement = insert(session, User).values(id=user_id, created_at=utcnow())
    await session.execute(statement.on_conflict_do_nothing(index_elements=[User.id]))


def has_parent_in(session: AsyncSession, ids: Sequence[str]) -> ColumnElement[bool]:
    """Generations with at least one of `ids` among their parents (PostgreSQL: jsonb `?|`, GIN-indexed)."""
    if dialect_of(session) == "postgresql":
        return type_coerce(Generation.parent_ids, postgresql.JSONB).has_any(postgresql.array(ids))
    parents = func.json_each(Generation.parent_ids).table_valued("value")
    return select(parents.c.value).where(parents.c.value.in_(ids)).exists()
