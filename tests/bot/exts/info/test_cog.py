"""/help and /about."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import CadenzaBot
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord

pytestmark = pytest.mark.asyncio


async def test_help_lists_the_commands_that_exist(fake: FakeDiscord, bot: CadenzaBot, alice: dict[str, Any]) -> None:
    callback = await (await fake.invoke("help", alice)).callback()
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    [embed] = callback["data"]["embeds"]
    assert [f["name"] for f in embed["fields"]] == ["/about", "/compose", "/continue", "/forget-me", "/help",
                                                  "/history", "/interpolate", "/jam", "/prefs", "/remix", "/settings",
                                                  "/similar", "/tag", "/top"]


async def test_about_names_the_loaded_model_and_the_data(fake: FakeDiscord, bot: CadenzaBot,
                                                        alice: dict[str, Any]) -> None:
    callback = await (await fake.invoke("about", alice)).callback()
    fields = {f["name"]: f["value"] for f in callback["data"]["embeds"][0]["fields"]}
    assert fields["Models loaded"].split(";")[0].split(", ")[0] == "vae"
    assert "POP909" in fields["Training data"]
