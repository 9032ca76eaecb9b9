"""Connecting, syncing, sharding, restarts and graceful shutdown, against the fake."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import CadenzaBot, ShardedCadenzaBot
from bot.config import BotSettings
from bot.services import InMemoryServices
from tests.bot.conftest import TOKEN
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord

pytestmark = pytest.mark.asyncio


async def test_the_bot_identifies_with_its_token_and_syncs_its_commands_to_the_guild(
        fake: FakeDiscord, bot: CadenzaBot) -> None:
    [identify] = fake.identifies
    assert identify["token"] == TOKEN
    assert identify["intents"] == 1  # guilds only: no privileged intent
    assert not any(c.path == "/gateway/bot" for c in fake.calls)  # connected to CADENZA_DISCORD_GATEWAY_URL
    commands = {c["name"]: c for c in fake.commands[fake.guild_id]}
    assert sorted(commands) == ["about", "compose", "continue", "forget-me", "help", "history", "interpolate",
                                "jam", "prefs", "remix", "settings", "similar", "tag", "top"]
    options = {o["name"]: o for o in commands["compose"]["options"]}
    assert options["style"]["autocomplete"] is True
    assert (options["bars"]["min_value"], options["bars"]["max_value"]) == (1, 64)
    assert (options["tempo"]["min_value"], options["tempo"]["max_value"]) == (40, 240)
    assert [c["value"] for c in options["meter"]["choices"]] == ["4/4", "3/4", "6/8"]
    assert commands["tag"]["options"][0]["type"] == 11  # an attachment
    assert {o["name"]: o["type"] for o in commands["continue"]["options"]} == {"piece": 3, "file": 11, "bars": 4}
    assert all(c.status < 400 for c in fake.calls)


async def test_buttons_keep_working_after_a_restart(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, services: InMemoryServices,
        alice: dict[str, Any], bob: dict[str, Any]) -> None:
    async with start_bot(settings, services):
        sent = await fake.invoke("compose", alice, text="lofi", bars=1, seed=3)
        message = await sent.response(lambda m: bool(m["attachments"]))
    [generation] = services.generations.values()
    async with start_bot(settings, services):  # a new client: nothing of the first one's views survives
        callback = await (await fake.press(message, f"cadenza:rate:{generation.id}:5", bob)).callback()
    assert callback["data"]["flags"] & EPHEMERAL
    assert services.ratings == {(int(bob["id"]), generation.id): 5}


async def test_a_sharded_bot_connects_every_shard_to_the_configured_gateway(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, services: InMemoryServices,
        alice: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_pause(self: ShardedCadenzaBot, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord allows one IDENTIFY per 5 s, which discord.py waits out between shards; the fake does not."""

    monkeypatch.setattr(ShardedCadenzaBot, "before_identify_hook", no_pause)
    fake.advertised_gateway = "ws://127.0.0.1:9/not-here"  # what /gateway/bot says must not be used
    fake.shard_count = 2
    async with start_bot(settings.model_copy(update={"discord_shards": 0}), services, 2) as bot:
        assert bot.shard_count == 2
        callback = await (await fake.invoke("help", alice)).callback()
    assert sorted(i["shard"][0] for i in fake.identifies) == [0, 1]
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL


async def test_shutdown_delivers_accepted_jobs_then_disconnects(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, services: InMemoryServices,
        alice: dict[str, Any], bob: dict[str, Any]) -> None:
    async with start_bot(settings, services) as bot:
        sent = await fake.invoke("compose", alice, text="classical", bars=1, seed=3)
        await sent.callback()
        shutdown = asyncio.create_task(bot.shutdown())
        late = await (await fake.invoke("compose", bob, text="rock", bars=1, seed=3)).callback()
        await shutdown
        assert bot.is_closed()
    assert (result := fake.original(sent.token)) and result["attachments"]
    assert late["data"]["flags"] & EPHEMERAL and "restarting" in late["data"]["content"]
