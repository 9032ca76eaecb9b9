"""The initial schema: users, generations, ratings, preferences, channel settings, jobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER_ID = sa.String(64)
PLACE_ID = sa.String(32)
GENERATION_ID = sa.String(12)


def _timestamp(name: str) -> sa.Column[object]:
    """A timezone-aware timestamp (storage.models.UTCDateTime keeps it in UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", USER_ID, nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_table(
        "preferences",
        sa.Column("user_id", USER_ID, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_preferences_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_preferences"),
    )
    op.create_table(
        "generations",
        sa.Column("id", GENERATION_ID, nullable=False),
        sa.Column("user_id", USER_ID, nullable=True),
        sa.Column("guild_id", PLACE_ID, nullable=True),
        sa.Column("channel_id", PLACE_ID, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("model", sa.String(16), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("latent", sa.LargeBinary(), nullable=True),
        sa.Column("midi", sa.LargeBinary(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("parent_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        _timestamp("created_at"),
        sa.CheckConstraint(
            "kind IN ('compose', 'variation', 'continuation', 'interpolation', 'reroll')", name="ck_generations_kind"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_generations_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_generations"),
    )
    op.create_index("ix_generations_user_id_created_at", "generations", ["user_id", "created_at"])
    op.create_index("ix_generations_channel_id_created_at", "generations", ["channel_id", "created_at"])
    op.create_index("ix_generations_guild_id_created_at", "generations", ["guild_id", "created_at"])
    op.create_index("ix_generations_created_at", "generations", ["created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_generations_parent_ids", "generations", ["parent_ids"], postgresql_using="gin")
    op.create_table(
        "ratings",
        sa.Column("user_id", USER_ID, nullable=False),
        sa.Column("generation_id", GENERATION_ID, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_ratings_score"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_ratings_user_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["generation_id"], ["generations.id"], name="fk_ratings_generation_id_generations", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "generation_id", name="pk_ratings"),
    )
    op.create_index("ix_ratings_generation_id", "ratings", ["generation_id"])
    op.create_table(
        "channel_settings",
        sa.Column("guild_id", PLACE_ID, nullable=False),
        sa.Column("channel_id", PLACE_ID, nullable=False),
        sa.Column("compose_role_ids", sa.JSON(), nullable=True),
        sa.Column("cooldown_s", sa.Integer(), nullable=True),
        sa.Column("visibility", sa.String(16), nullable=True),
        _timestamp("updated_at"),
        sa.CheckConstraint("visibility IN ('public', 'ephemeral')", name="ck_channel_settings_visibility"),
        sa.PrimaryKeyConstraint("guild_id", "channel_id", name="pk_channel_settings"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("user_id", USER_ID, nullable=True),
        sa.Column("guild_id", PLACE_ID, nullable=True),
        sa.Column("worker", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result_generation_id", GENERATION_ID, nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="ck_jobs_status"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_jobs_user_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["result_generation_id"],
            ["generations.id"],
            name="fk_jobs_result_generation_id_generations",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_status_id", "jobs", ["status", "id"])
    op.create_index("ix_jobs_user_id", "jobs", ["user_id"])
    op.create_index("ix_jobs_result_generation_id", "jobs", ["result_generation_id"])


def downgrade() -> None:
    for table in ("jobs", "channel_settings", "ratings", "generations", "preferences", "users"):
        op.drop_table(table)
