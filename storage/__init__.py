"""Persistence: SQLAlchemy models, the async `Database` (SQLite or PostgreSQL, Alembic-migrated), repositories."""

from .database import Database

__all__ = ["Database"]
