"""The database: URLs, SQLite's connection settings, migrations on both backends, timestamps."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from asyncio.subprocess import PIPE
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import StatementError

from storage.database import Database, alembic_config, exists_on, migration_scope, normalise_url
from storage.models import Base, User


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:////tmp/x.sqlite3", "sqlite+aiosqlite:////tmp/x.sqlite3"),
        ("sqlite+aiosqlite:///x.sqlite3", "sqlite+aiosqlite:///x.sqlite3"),
    ],
)
def test_urls_get_async_drivers(given: str, expected: str) -> None:
    assert normalise_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.asyncio
async def test_sqlite_folder_and_connection_settings(tmp_path: Path) -> None:
    database = Database.create(f"sqlite:///{tmp_path / 'a' / 'b' / 'cadenza.sqlite3'}")
    try:
        assert (tmp_path / "a" / "b").is_dir()
        async with database.session() as session:
            settings = {p: (await session.execute(text(f"PRAGMA {p}"))).scalar() for p in
                        ("journal_mode", "busy_timeout", "foreign_keys")}
        assert settings == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1}
    finally:
        await database.close()


def _schema(connection: Connection) -> tuple[set[str], str | None, list[Any]]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": exists_on(connection.dialect.name)}
    )
    tables = set(inspect(connection).get_table_names())
    return tables, context.get_current_revision(), compare_metadata(context, Base.metadata)


@pytest.mark.asyncio
async def test_migrations_build_the_models_schema(db: Database) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with db.engine.connect() as connection:
        tables, revision, differences = await connection.run_sync(_schema)
    assert tables == {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"}
    assert revision == head
    assert differences == []


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with migration_scope(connection):
        command.downgrade(config, "base")


@pytest.mark.asyncio
async def _migrate_in_processes(url: str, count: int) -> None:
    """Start `count` processes that migrate the database at once (Alembic's state is per process)."""
    code = "import asyncio, sys; from storage import Database; asyncio.run(Database.create(sys.argv[1]).migrate())"
    start = asyncio.create_subprocess_exec
    processes = [await start(sys.executable, "-c", code, url, stderr=PIPE) for _ in range(count)]
    for process in processes:
        _, error = await process.communicate()
        assert process.returncode == 0, error.decode()


@pytest.mark.asyncio
async def test_migrations_go_down_and_up_again(db: Database) -> None:
    await db.migrate()  # at head already: nothing to do
    async with db.engine.connect() as connection:
        await connection.run_sync(_downgrade)
        assert await connection.run_sync(lambda c: inspect(c).get_table_names()) == ["alembic_version"]
    await _migrate_in_processes(db.engine.url.render_as_string(hide_password=False), 2)  # they take turns
    async with db.engine.connect() as connection:
        tables, _, differences = await connection.run_sync(_schema)
    assert "generations" in tables and differences == []


@pytest.mark.asyncio
async def test_timestamps_are_aware_and_utc(db: Database) -> None:
    created = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=8)))
    async with db.session() as session:
        session.add(User(id="tz", created_at=created))
    async with db.session() as session:
        user = await session.get(User, "tz")
    assert user is not None and user.created_at == created and user.created_at.tzinfo == UTC


@pytest.mark.asyncio
async def test_naive_timestamps_are_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.session() as session:
            session.add(User(id="naive", created_at=datetime(2026, 3, 1)))


@pytest.mark.asyncio
async def test_sqlite_migration_refuses_dangling_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "cadenza.sqlite3"
    database = Database.create(f"sqlite:///{path}")
    try:
        await database.migrate()
        with sqlite3.connect(path) as raw:  # foreign keys are off by default outside storage
            raw.execute("INSERT INTO ratings VALUES ('ghost', 'nowhere', 3, '2026-01-01', '2026-01-01')")
        with pytest.raises(RuntimeError, match="dangling foreign keys"):
            await database.migrate()
    finally:
        await database.close()
