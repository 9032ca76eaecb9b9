"""The database: an async engine and sessions over SQLite (embedded) or PostgreSQL (scaled), migrated by Alembic."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.schema import SchemaItem

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000


def normalise_url(url: str | URL) -> URL:
    """The URL with its async driver: `postgres://` and `postgresql://` → asyncpg, `sqlite://` → aiosqlite."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        return parsed.set(drivername="postgresql+asyncpg")
    if parsed.drivername == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    return parsed


def alembic_config() -> Config:
    """Alembic's configuration, built in code: the migrations ship inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def exists_on(dialect: str) -> Callable[[SchemaItem, str | None, str, bool, SchemaItem | None], bool]:
    """Alembic's `include_object` hook: leave out of comparisons what `dialect` never creates."""

    def include(item: SchemaItem, _name: str | None, _type: str, _reflected: bool, _other: SchemaItem | None) -> bool:
        return item.info.get("dialect", dialect) == dialect

    return include


class Database:
    """One database: its async engine, a session factory, migrations and shutdown."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def create(cls, url: str | URL, **engine_options: Any) -> Database:
        """Connect lazily to `url` (SQLite file folders are created); `engine_options` go to the engine."""
        parsed = normalise_url(url)
        if parsed.get_backend_name() != "sqlite":
            return cls(create_async_engine(parsed, **engine_options))
        if _is_sqlite_file(parsed):
            Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # One writer at a time anyway (see _configure_sqlite): a single pooled connection hands over without
            # the busy handler's sleeps; other processes still wait through busy_timeout.
            engine_options = {"pool_size": 1, "max_overflow": 0} | engine_options
        engine = create_async_engine(parsed, **engine_options)
        _configure_sqlite(engine)
        return cls(engine)

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed when the block ends and rolled back if it raises."""
        async with self.sessions.begin() as session:
            yield session

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (default: the newest) with Alembic."""
        async with self.engine.connect() as connection:
            await connection.run_sync(_upgrade, revision)

    async def close(self) -> None:
        await self.engine.dispose()


def _is_sqlite_file(url: URL) -> bool:
    """False for in-memory databases (which SQLAlchemy keeps on one static connection) and URI filenames."""
    return bool(url.database) and url.database != ":memory:" and not url.query.get("uri")


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout and foreign keys on every connection; transactions take the write lock up front.

    `BEGIN IMMEDIATE` makes a transaction that reads before it writes wait for the lock (up to the busy
    timeout) instead of failing with "database is locked" when another connection wrote in between.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN is replaced by `_on_begin`
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}", "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with migration_scope(connection):
        command.upgrade(config, revision)


@contextmanager
def migration_scope(connection: Connection) -> Iterator[None]:
    """Commit what the block migrated; on SQLite, with foreign keys off (batch table rebuilds would cascade
    deletes; env.py checks them before committing)."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _raw_pragma(connection, "foreign_keys=OFF")  # outside any transaction, where SQLite ignores it
    try:
        yield
        connection.commit()
    finally:
        connection.rollback()
        if sqlite:
            _raw_pragma(connection, "foreign_keys=ON")


def _raw_pragma(connection: Connection, pragma: str) -> None:
    cursor = connection.connection.cursor()
    cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
