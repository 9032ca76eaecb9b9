"""Jam sessions: a shared piece per thread, and members' votes per round.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "jams",
        sa.Column("thread_id", sa.String(32), nullable=False),
        sa.Column("guild_id", sa.String(32)),
        sa.Column("started_by", sa.String(64), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("head_id", sa.String(12), sa.ForeignKey("generations.id", ondelete="SET NULL")),
        sa.Column("round", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("thread_id"),
    )
    op.create_table(
        "jam_votes",
        sa.Column("thread_id", sa.String(32), sa.ForeignKey("jams.thread_id", ondelete="CASCADE"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("generation_id", sa.String(12), sa.ForeignKey("generations.id", ondelete="CASCADE"),
                  nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("thread_id", "round", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("jam_votes")
    op.drop_table("jams")
