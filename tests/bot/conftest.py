"""Fixtures for driving the real discord.py client against `FakeDiscord`."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord.gateway import DiscordWebSocket
from pydantic import SecretStr

from bot.app import CadenzaBot, build_bot
from bot.config import BotSettings
from bot.services import RESULT_FILES, Generation, InMemoryServices
from engine.compose import Composer

from .fake_discord import FakeDiscord

TOKEN = "test-token-ABCDEFGHIJKLMNOP.secret"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(TOKEN) as server:
        yield server


@pytest.fixture
def settings(fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BotSettings:
    # build_bot points discord.py's class attributes at the fake; put them back afterwards
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    return BotSettings(discord_token=SecretStr(TOKEN), discord_api_base=fake.api_base,
                       discord_gateway_url=fake.gateway_url, discord_guild_id=fake.guild_id, discord_cooldown_s=0,
                       output_dir=tmp_path / "out")


@pytest.fixture
def services(settings: BotSettings) -> InMemoryServices:
    return InMemoryServices(Composer(settings, RESULT_FILES), settings.discord_queue_limit, seeds=random.Random(1))


@asynccontextmanager
async def running(fake: FakeDiscord, settings: BotSettings, services: InMemoryServices,
                  shards: int = 1) -> AsyncIterator[CadenzaBot]:
    """A bot connected to `fake` (commands synced, READY received) until the block ends."""
    bot = build_bot(settings, services)
    task = asyncio.create_task(bot.start(TOKEN))
    try:
        await fake.wait_for(lambda: task.done() or fake.connected(shards))
        if task.done():
            await task  # raises what stopped the bot
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, timeout=10)  # discord.py retries failed shards forever; don't hang


@pytest.fixture
def start_bot(fake: FakeDiscord) -> Callable[..., AbstractAsyncContextManager[CadenzaBot]]:
    """`async with start_bot(settings, services[, shards]) as bot:` a bot connected to the fake."""
    return lambda settings, services, shards=1: running(fake, settings, services, shards)


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord, settings: BotSettings, services: InMemoryServices) -> AsyncIterator[CadenzaBot]:
    async with running(fake, settings, services) as connected:
        yield connected


@pytest.fixture
def alice(fake: FakeDiscord) -> dict[str, Any]:
    return fake.make_user("Alice")


@pytest.fixture
def bob(fake: FakeDiscord) -> dict[str, Any]:
    return fake.make_user("Bob")


@pytest_asyncio.fixture
async def composed(fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
                   alice: dict[str, Any]) -> tuple[dict[str, Any], Generation]:
    """Alice's `/compose text:jazz bars:2 seed:7`: the result message and its generation."""
    sent = await fake.invoke("compose", alice, text="jazz", bars=2, seed=7)
    message = await sent.response(lambda m: bool(m["attachments"]))
    [generation] = services.generations.values()
    return message, generation
