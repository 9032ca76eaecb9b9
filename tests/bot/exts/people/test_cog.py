"""/prefs, /history and /forget-me over the in-memory services (`tests/bot/test_stored_services.py`: on SQLite)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import CadenzaBot
from bot.services import Generation, InMemoryServices
from tests.bot.fake_discord import FakeDiscord
from tests.bot.helpers import ephemeral_reply

pytestmark = pytest.mark.asyncio


async def test_prefs_history_and_forget_me_answer_the_user_alone(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], alice: dict[str, Any], bob: dict[str, Any]) -> None:
    message, generation = composed
    await (await fake.press(message, f"cadenza:rate:{generation.id}:5", alice)).callback()
    await (await fake.press(message, f"cadenza:rate:{generation.id}:1", bob)).callback()
    assert "Nothing clear yet (1 rating so far)" in await ephemeral_reply(fake, "prefs", alice)
    await ephemeral_reply(fake, "prefs", alice, reset=True)
    assert "(0 ratings so far)" in await ephemeral_reply(fake, "prefs", alice)

    history = await ephemeral_reply(fake, "history", alice)
    assert f"`{generation.id}`" in history and "Jazz, 2 bars" in history and "👍 5/5" in history
    assert "no pieces yet" in await ephemeral_reply(fake, "history", bob)

    assert "confirm:True" in await ephemeral_reply(fake, "forget-me", alice, confirm=False)
    assert services.generations
    forgotten = await ephemeral_reply(fake, "forget-me", alice, confirm=True)
    assert "1 piece and 2 ratings" in forgotten  # bob's rating of alice's piece goes with it
    assert not services.generations and not services.ratings and not services.reset
