"""The 👍 and 👎 buttons."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import CadenzaBot
from bot.services import Generation, InMemoryServices
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord

pytestmark = pytest.mark.asyncio


async def test_thumbs_record_a_rating_and_a_second_vote_replaces_the_first(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], bob: dict[str, Any]) -> None:
    message, generation = composed
    sent = await fake.press(message, f"cadenza:rate:{generation.id}:5", bob)
    callback = await sent.callback()
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "👍" in callback["data"]["content"] and generation.id in callback["data"]["content"]
    assert services.ratings == {(int(bob["id"]), generation.id): 5}

    again = await fake.press(message, f"cadenza:rate:{generation.id}:1", bob)
    assert "👎" in (await again.callback())["data"]["content"]
    assert services.ratings == {(int(bob["id"]), generation.id): 1}


async def test_rating_a_piece_the_services_do_not_know_says_so(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], bob: dict[str, Any]) -> None:
    message, generation = composed
    del services.generations[generation.id]  # as after a restart without storage
    callback = await (await fake.press(message, f"cadenza:rate:{generation.id}:5", bob)).callback()
    assert callback["data"]["flags"] & EPHEMERAL
    assert f"I don't have a piece with id `{generation.id}`" in callback["data"]["content"]
    assert not services.ratings
