"""/continue, /remix and /interpolate through the real client and the fake: from ids and from uploads."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import CadenzaBot
from bot.services import Generation, InMemoryServices
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord
from tests.bot.helpers import custom_ids, ephemeral_reply, field, finished

pytestmark = pytest.mark.asyncio


def newest(services: InMemoryServices) -> Generation:
    return list(services.generations.values())[-1]


async def test_continue_a_piece_by_id_appends_bars_and_records_the_parent(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], bob: dict[str, Any]) -> None:
    _, parent = composed
    sent = await fake.invoke("continue", bob, piece=parent.id, bars=2)
    assert (await sent.callback())["type"] == 5  # deferred: the engine works off the event loop
    message = await sent.response(finished)
    child = newest(services)
    assert child.kind == "continuation" and child.parents == (parent.id,) and child.request.bars == 4
    assert field(message, "Continuation of") == parent.id and message["embeds"][0]["title"].startswith("Jazz · 4 bars")
    assert f"cadenza:cont:{child.id}" in custom_ids(message)


async def test_continue_an_uploaded_file(fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
                                         composed: tuple[dict[str, Any], Generation], bob: dict[str, Any]) -> None:
    _, parent = composed
    upload = fake.attachment("mine.mid", parent.files["midi"].read_bytes())
    message = await (await fake.invoke("continue", bob, file=upload, bars=2)).response(finished)
    child = newest(services)
    assert child.parents == () and child.request.bars == 4 and child.request.text.startswith("an uploaded")
    assert "uploaded" in message["embeds"][0]["description"]


@pytest.mark.parametrize(("options", "needle"), [
    ({}, "either a piece id or a file"),
    ({"piece": "hello"}, "not a piece id"),
])
async def test_continue_without_a_usable_source_is_refused_at_once(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices, alice: dict[str, Any],
        options: dict[str, Any], needle: str) -> None:
    assert needle in await ephemeral_reply(fake, "continue", alice, **options)
    assert not services.generations


async def test_an_upload_of_the_wrong_type_is_refused(fake: FakeDiscord, bot: CadenzaBot,
                                                      alice: dict[str, Any]) -> None:
    upload = fake.attachment("song.mp3", b"ID3" + bytes(100))
    assert "not .mp3" in await ephemeral_reply(fake, "continue", alice, file=upload)


async def test_continuing_past_64_bars_fails_politely(fake: FakeDiscord, bot: CadenzaBot,
                                                      composed: tuple[dict[str, Any], Generation],
                                                      alice: dict[str, Any]) -> None:
    _, parent = composed
    long_piece = await (await fake.invoke("compose", alice, text="folk", bars=60, seed=1)).response(finished)
    sent = await fake.invoke("continue", alice, piece=field(long_piece, "ID"), bars=8)
    await fake.wait_for(lambda: bool(fake.followups(sent.token)))
    [refusal] = fake.followups(sent.token)
    assert refusal["flags"] & EPHEMERAL and "at most 64 bars" in refusal["content"]
    assert fake.original(sent.token) is None


async def test_remix_rewrites_a_piece_in_the_style_asked_for(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], bob: dict[str, Any]) -> None:
    _, parent = composed
    message = await (await fake.invoke("remix", bob, piece=parent.id, text="rock, 150 bpm")).response(finished)
    child = newest(services)
    assert (child.kind, child.parents, child.request.style, child.request.tempo) == ("remix", (parent.id,), "rock", 150)
    assert child.request.bars == parent.request.bars and field(message, "Remix of") == parent.id
    assert "say what to make of it" in await ephemeral_reply(fake, "remix", bob, piece=parent.id)


async def test_interpolate_glides_between_two_pieces(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], alice: dict[str, Any]) -> None:
    _, first = composed
    await (await fake.invoke("compose", alice, text="pop", bars=2, seed=2)).response(finished)
    last = newest(services)
    message = await (await fake.invoke("interpolate", alice, first=first.id, last=last.id, steps=2)).response(finished)
    child = newest(services)
    assert child.kind == "interpolation" and child.parents == (first.id, last.id) and child.request.bars == 8
    assert field(message, "Interpolation of") == f"{first.id}` → `{last.id}"
