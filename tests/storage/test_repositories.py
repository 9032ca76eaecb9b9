"""Generations, users, preferences and channel settings: create, read, update, delete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from storage.database import Database
from storage.models import GUILD_WIDE, Generation, GenerationKind
from storage.repositories import (
    TASTE,
    ChannelRules,
    ChannelSettingsRepository,
    GenerationRepository,
    PreferenceRepository,
    UserRepository,
)

pytestmark = pytest.mark.asyncio
MakeGeneration = Callable[..., Generation]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def test_generation_round_trip(db: Database, make_generation: MakeGeneration) -> None:
    stored = make_generation("0123456789ab", user_id="alice", guild_id="g", channel_id="c", parent_ids=["ffffffffffff"],
                             kind=GenerationKind.VARIATION)
    async with db.session() as session:
        await GenerationRepository(session).add(stored)
    async with db.session() as session:
        loaded = await GenerationRepository(session).get("0123456789ab")
        assert await UserRepository(session).get("alice") is not None  # created on demand
        assert await GenerationRepository(session).get("000000000000") is None
    assert loaded is not None
    for column in ("user_id", "guild_id", "channel_id", "kind", "request", "model", "seed", "latent", "midi", "tags",
                   "features", "parent_ids"):
        assert getattr(loaded, column) == getattr(stored, column), column
    assert loaded.created_at.tzinfo == UTC


async def test_listings_newest_first_and_children(db: Database, make_generation: MakeGeneration) -> None:
    async with db.session() as session:
        repo = GenerationRepository(session)
        for i in range(5):
            await repo.add(make_generation(f"a{i:011d}", user_id="alice", channel_id="c1" if i % 2 else "c2",
                                           created_at=T0 + timedelta(minutes=i)))
        await repo.add(make_generation("b00000000000", user_id="bob", parent_ids=["a00000000001", "a00000000003"],
                                       kind=GenerationKind.INTERPOLATION, created_at=T0))
        await repo.add(make_generation("b00000000001", parent_ids=["a00000000001"], created_at=T0 + timedelta(hours=1)))
    async with db.session() as session:
        repo = GenerationRepository(session)
        assert [g.id for g in await repo.list_by_user("alice", limit=3)] == ["a00000000004", "a00000000003",
                                                                            "a00000000002"]
        assert [g.id for g in await repo.list_by_channel("c1")] == ["a00000000003", "a00000000001"]
        assert [g.id for g in await repo.children_of("a00000000001")] == ["b00000000000", "b00000000001"]
        assert [g.id for g in await repo.children_of("a00000000003")] == ["b00000000000"]
        assert await repo.children_of("a00000000000") == []


async def test_get_or_create_is_idempotent(db: Database) -> None:
    async with db.session() as session:
        first = await UserRepository(session).get_or_create("carol")
    async with db.session() as session:
        again = await UserRepository(session).get_or_create("carol")
    assert again.created_at == first.created_at


async def test_taste_state_is_stored_replaced_and_reset(db: Database) -> None:
    taste = {"precision": [[3.0 + i * 0.001 for i in range(19)] for _ in range(19)], "shift": [0.1] * 19, "ratings": 4}
    async with db.session() as session:
        prefs = PreferenceRepository(session)
        assert await prefs.get("dave") is None
        await prefs.set("dave", taste)
        await prefs.set("dave", "jazz", key="style")
    async with db.session() as session:
        prefs = PreferenceRepository(session)
        assert await prefs.get("dave") == taste
        await prefs.set("dave", {**taste, "ratings": 5})
        assert (await prefs.get("dave", TASTE))["ratings"] == 5
        assert set(await prefs.all("dave")) == {"style", TASTE}
        assert await prefs.reset("dave", TASTE) == 1
        assert await prefs.all("dave") == {"style": "jazz"}
        assert await prefs.reset("dave") == 1
        assert await prefs.all("dave") == {}


async def test_channel_settings_inherit_from_the_guild(db: Database) -> None:
    async with db.session() as session:
        settings = ChannelSettingsRepository(session)
        await settings.update("g", compose_role_ids=["r1"], cooldown_s=30, visibility="public")
        row = await settings.update("g", "c", cooldown_s=5)
        assert (row.compose_role_ids, row.cooldown_s, row.visibility) == (None, 5, None)
        row = await settings.update("g", "c", visibility="ephemeral")
        assert (row.cooldown_s, row.visibility) == (5, "ephemeral")  # untouched settings stay
    async with db.session() as session:
        settings = ChannelSettingsRepository(session)
        assert await settings.effective("g", "c") == ChannelRules(["r1"], 5, "ephemeral")
        assert await settings.effective("g", "other") == ChannelRules(["r1"], 30, "public")
        assert await settings.effective("nowhere", "c") == ChannelRules()
        await settings.update("g", "c", cooldown_s=None)  # back to inheriting
        assert (await settings.effective("g", "c")).cooldown_s == 30
        assert await settings.clear("g", "c") and not await settings.clear("g", "c")
        assert (await settings.get("g", GUILD_WIDE)) is not None


@pytest.mark.parametrize("bad", [{"cooldown_s": -1}, {"visibility": "secret"}])
async def test_channel_settings_refuse_bad_values(db: Database, bad: dict[str, object]) -> None:
    async with db.session() as session:
        with pytest.raises(ValueError):
            await ChannelSettingsRepository(session).update("g", **bad)  # type: ignore[arg-type]
