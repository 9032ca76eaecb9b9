"""/top and /similar through the real client and the fake."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import CadenzaBot
from bot.services import Generation, InMemoryServices
from tests.bot.fake_discord import FakeDiscord
from tests.bot.helpers import ephemeral_reply, finished

pytestmark = pytest.mark.asyncio


async def test_top_ranks_rated_pieces_of_the_channel(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], alice: dict[str, Any], bob: dict[str, Any]) -> None:
    message, first = composed
    assert "No rated pieces in this channel" in await ephemeral_reply(fake, "top", alice)
    second = await (await fake.invoke("compose", bob, text="folk", bars=1, seed=4)).response(finished)
    second_id = next(g.id for g in services.generations.values() if g.id != first.id)
    await (await fake.press(message, f"cadenza:rate:{first.id}:1", alice)).callback()
    await (await fake.press(second, f"cadenza:rate:{second_id}:5", alice)).callback()
    await (await fake.press(second, f"cadenza:rate:{second_id}:5", bob)).callback()
    board = await ephemeral_reply(fake, "top", bob, scope="server")
    assert "on this server" in board
    assert board.index(second_id) < board.index(first.id)
    assert "★ 5.0/5 from 2 votes" in board and "★ 1.0/5 from 1 vote" in board


async def test_similar_lists_other_pieces_most_alike_first(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], alice: dict[str, Any]) -> None:
    _, first = composed
    assert "No other pieces" in await ephemeral_reply(fake, "similar", alice, piece=first.id)
    for text in ("jazz", "classical"):
        await (await fake.invoke("compose", alice, text=text, bars=2, seed=8)).response(finished)
    listing = await ephemeral_reply(fake, "similar", alice, piece=first.id)
    lines = listing.splitlines()[1:]
    assert len(lines) == 2 and all(first.id not in line for line in lines)
    similarities = [float(line.rsplit(" ", 1)[1]) for line in lines]
    assert similarities == sorted(similarities, reverse=True)
    assert "not a piece id" in await ephemeral_reply(fake, "similar", alice, piece="xyz")
    assert "don't have a piece" in await ephemeral_reply(fake, "similar", alice, piece="0" * 12)
