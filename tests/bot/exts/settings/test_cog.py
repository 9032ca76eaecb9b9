"""/settings through the real client and the fake: Manage Channels, composer roles, cooldowns, visibility;
and the per-server limit on jobs in flight."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bot.app import CadenzaBot
from bot.config import BotSettings
from bot.services import InMemoryServices
from engine.compose import Composer
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord
from tests.bot.helpers import ephemeral_reply, finished

pytestmark = pytest.mark.asyncio
MANAGE_CHANNELS = 1 << 4
SEND_MESSAGES = 1 << 11


async def test_settings_show_defaults_and_changes_need_manage_channels(
        fake: FakeDiscord, bot: CadenzaBot, alice: dict[str, Any]) -> None:
    shown = await ephemeral_reply(fake, "settings", alice)
    assert "who may compose: everyone" in shown and "results shown to the channel" in shown
    member = fake.make_user("Member", permissions=SEND_MESSAGES)
    assert "needs the Manage Channels permission" in await ephemeral_reply(fake, "settings", member, cooldown=5)
    assert "needs the Manage Channels permission" not in await ephemeral_reply(fake, "settings", member)
    synced = next(c for c in fake.commands[fake.guild_id] if c["name"] == "settings")
    assert int(synced["default_member_permissions"]) == MANAGE_CHANNELS and synced["dm_permission"] is False


async def test_a_composer_role_limits_who_may_compose(fake: FakeDiscord, bot: CadenzaBot,
                                                      services: InMemoryServices, alice: dict[str, Any]) -> None:
    composers = await fake.make_role("composers")
    done = await ephemeral_reply(fake, "settings", alice, composers=composers)
    assert f"who may compose: <@&{composers['id']}>" in done
    outsider = fake.make_user("Outsider", permissions=SEND_MESSAGES)
    assert "only members with" in await ephemeral_reply(fake, "compose", outsider, text="pop", bars=1)
    insider = fake.make_user("Insider", permissions=SEND_MESSAGES, roles=(composers,))
    await (await fake.invoke("compose", insider, text="pop", bars=1, seed=1)).response(finished)
    assert len(services.generations) == 1
    assert "everyone" in await ephemeral_reply(fake, "settings", alice, everyone=True)
    await (await fake.invoke("compose", outsider, text="pop", bars=1, seed=2)).response(finished)


async def test_a_server_cooldown_and_private_results(fake: FakeDiscord, bot: CadenzaBot,
                                                     services: InMemoryServices, alice: dict[str, Any]) -> None:
    await ephemeral_reply(fake, "settings", alice, scope="server", cooldown=600, visibility="ephemeral")
    sent = await fake.invoke("compose", alice, text="folk", bars=1, seed=3)
    callback = await sent.callback()
    assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL  # only Alice sees it
    await sent.response(finished)
    assert "compose again in" in await ephemeral_reply(fake, "compose", alice, text="folk", bars=1)
    channel = await ephemeral_reply(fake, "settings", alice, cooldown=0)  # the channel overrides its server
    assert "cooldown: 0 s" in channel and "only to who asked" in channel
    await (await fake.invoke("compose", alice, text="folk", bars=1, seed=4)).response(finished)


async def test_a_server_with_too_many_jobs_in_flight_is_asked_to_wait(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, alice: dict[str, Any],
        bob: dict[str, Any]) -> None:
    services = InMemoryServices(Composer(settings), settings.discord_queue_limit, seeds=random.Random(1))
    async with start_bot(settings.model_copy(update={"discord_guild_concurrency": 1}), services):
        both = [await fake.invoke("compose", user, text="rock", bars=1, seed=5) for user in (alice, bob)]
        answers = [await sent.callback() for sent in both]
        await both[0].response(finished)
    assert answers[0]["type"] == 5
    assert answers[1]["type"] == 4 and answers[1]["data"]["flags"] & EPHEMERAL
    assert "already has several pieces on the way" in answers[1]["data"]["content"]
    assert len(services.generations) == 1
