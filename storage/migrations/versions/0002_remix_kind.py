"""Generations may be remixes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ("compose", "variation", "continuation", "interpolation", "reroll")
_AFTER = (*_BEFORE, "remix")


def _kinds(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    # 0001 named this constraint once more under the naming convention: that is its name in the database.
    with op.batch_alter_table("generations") as batch:
        batch.drop_constraint(op.f("ck_generations_ck_generations_kind"), type_="check")
        batch.create_check_constraint("kind", _kinds(_AFTER))


def downgrade() -> None:
    op.execute("DELETE FROM generations WHERE kind = 'remix'")
    with op.batch_alter_table("generations") as batch:
        batch.drop_constraint(op.f("ck_generations_kind"), type_="check")
        batch.create_check_constraint("ck_generations_kind", _kinds(_BEFORE))
