"""Every storage test runs on both backends: SQLite in a temporary folder, PostgreSQL in a throwaway database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy import text

from storage.database import Database
from storage.models import Base, Generation

# The maintenance database the throwaway one is created from (override to test another server).
POSTGRES_ADMIN_URL = os.environ.get("CADENZA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _create_and_migrate(name: str, url: str) -> None:
    await _admin(f'CREATE DATABASE "{name}"')
    database = Database.create(url)
    try:
        await database.migrate()
    finally:
        await database.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly created and migrated PostgreSQL database for this test session, dropped at the end."""
    name = f"cadenza_test_{uuid.uuid4().hex[:12]}"
    server = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    url = f"{server}/{name}"
    try:
        asyncio.run(_admin("SELECT 1"))
    except (TimeoutError, OSError) as error:
        pytest.skip(f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {error!r}")
    asyncio.run(_create_and_migrate(name, url))
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'cadenza.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest_asyncio.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database."""
    database = Database.create(database_url)
    await database.migrate()
    if database.backend == "postgresql":
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with database.session() as session:
            await session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    await database.close()


@pytest.fixture
def make_generation() -> Callable[..., Generation]:
    """A generation with plausible contents; keyword arguments override any column."""

    def make(generation_id: str | None = None, **columns: Any) -> Generation:
        values: dict[str, Any] = {
            "id": generation_id or uuid.uuid4().hex[:12],
            "request": {"style": "jazz", "bars": 8, "tempo": 120},
            "model": "vae",
            "seed": 2**40 + 7,
            "latent": bytes(range(16)) * 32,
            "midi": b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0",
            "tags": {"style": {"label": "jazz"}, "key": "F major"},
            "features": {"tempo": 120.0, "key_minor": 0.0},
        }
        values.update(columns)
        return Generation(**values)

    return make


@pytest_asyncio.fixture
async def peers(db: Database) -> AsyncIterator[list[Database]]:
    """`db` and three more engines on the same database, standing in for other processes sharing it."""
    url = db.engine.url.render_as_string(hide_password=False)
    others = [Database.create(url) for _ in range(3)]
    everyone = [db, *others]

    async def connect(database: Database) -> None:
        async with database.session() as session:
            await session.execute(text("SELECT 1"))

    # Open the pools' connections up front, so that the writers a test starts together really overlap.
    await asyncio.gather(*(connect(database) for database in everyone for _ in range(5)))
    yield everyone
    for other in others:
        await other.close()
