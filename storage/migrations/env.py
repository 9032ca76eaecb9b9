"""Alembic's environment: migrate the connection `Database.migrate` hands over, or the URL given as `-x url=…`."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from storage.database import Database, exists_on, migration_scope
from storage.models import Base

MIGRATION_LOCK = int.from_bytes(b"cadenza", "big")
"""PostgreSQL advisory lock id: processes starting together migrate one after the other."""


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations in one transaction (SQLite's DDL is transactional under our own BEGIN)."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=exists_on(connection.dialect.name),
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises migrations
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()
        if connection.dialect.name == "sqlite":  # foreign keys are off while migrating: check before committing
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration would leave dangling foreign keys: {broken[:5]}")


def run_in_scope(connection: Connection) -> None:
    with migration_scope(connection):
        run_migrations(connection)


async def run_from_url(url: str) -> None:
    """The `alembic` command line's path: connect as Cadenza does, then migrate."""
    database = Database.create(url)
    try:
        async with database.engine.connect() as connection:
            await connection.run_sync(run_in_scope)
    finally:
        await database.close()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) mode is not supported: migrate a live database")
if (handed_over := context.config.attributes.get("connection")) is not None:
    run_migrations(handed_over)
else:
    given = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not given:
        raise SystemExit("give the database URL: alembic -c storage/alembic.ini -x url=URL …")
    asyncio.run(run_from_url(given))
