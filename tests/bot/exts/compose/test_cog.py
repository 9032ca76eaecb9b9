"""/compose, its autocomplete, and the Variation, Reroll and Score buttons, through the real client and the fake."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from bot.app import CadenzaBot
from bot.config import BotSettings
from bot.services import Generation, InMemoryServices
from engine.compose import Composer
from tests.bot.fake_discord import EPHEMERAL, LOADING, FakeDiscord, Sent
from tests.bot.helpers import custom_ids, finished

pytestmark = pytest.mark.asyncio
MAGIC = {"audio/ogg": b"OggS", "audio/midi": b"MThd", "image/png": b"\x89PNG"}


async def test_compose_defers_shows_progress_and_posts_the_result(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices, alice: dict[str, Any]) -> None:
    started = time.monotonic()
    sent = await fake.invoke("compose", alice, text="jazz", bars=2, seed=7)
    callback = await sent.callback()
    acknowledged_s = time.monotonic() - started
    assert callback["type"] == 5 and not callback.get("data", {}).get("flags", 0) & EPHEMERAL
    assert acknowledged_s < 3

    message = await sent.response(finished)
    generation = next(iter(services.generations.values()))
    calls = sent.calls()
    edits = [c for c in calls if c.method == "PATCH"]
    assert any("Composing" in (e.json or {}).get("content", "") for e in edits[:-1])
    final = edits[-1]
    uploads = {upload.filename.rsplit(".", 1)[1]: upload for upload in final.files}
    assert sorted(uploads) == ["mid", "ogg", "png"]
    for attachment in message["attachments"]:
        upload = uploads[attachment["filename"].rsplit(".", 1)[1]]
        assert attachment["size"] == upload.size > 0
        assert upload.data.startswith(MAGIC[attachment["content_type"]])
    assert {a["content_type"] for a in message["attachments"]} == set(MAGIC)
    assert not message["flags"] & (EPHEMERAL | LOADING) and message["content"] == ""

    [embed] = message["embeds"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert embed["title"].startswith("Jazz · 2 bars · ")
    assert fields["ID"] == f"`{generation.id}`"
    assert fields["Model"] == "vae · seed 7"
    assert fields["Chords"].count("|") == 1  # two bars of chords
    assert embed["image"]["url"] == f"attachment://cadenza-{generation.id}.png"
    assert custom_ids(message) == [f"cadenza:rate:{generation.id}:5", f"cadenza:rate:{generation.id}:1",
                                   f"cadenza:var:{generation.id}", f"cadenza:cont:{generation.id}",
                                   f"cadenza:reroll:{generation.id}", f"cadenza:score:{generation.id}"]
    assert set(generation.files) == {"audio", "midi", "image"}  # the score is written when asked for
    assert generation.request.bars == 2 and generation.origin.user == int(alice["id"])


async def test_a_request_error_is_ephemeral_and_specific(fake: FakeDiscord, bot: CadenzaBot,
                                                         services: InMemoryServices, alice: dict[str, Any]) -> None:
    sent = await fake.invoke("compose", alice, text="jaz 8 bars")
    callback = await sent.callback()
    assert callback["type"] == 4
    assert callback["data"]["flags"] & EPHEMERAL
    assert "did you mean 'jazz'" in callback["data"]["content"]
    assert not services.generations


async def test_variation_is_a_new_piece_in_the_parents_key_that_records_its_parent(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], bob: dict[str, Any]) -> None:
    message, parent = composed
    sent = await fake.press(message, f"cadenza:var:{parent.id}", bob)
    assert (await sent.callback())["type"] == 5
    result = await sent.response(finished)
    child = next(g for g in services.generations.values() if g.id != parent.id)
    assert child.parents == (parent.id,) and child.key == parent.key and child.kind == "variation"
    assert child.request.style == parent.request.style and child.request.bars == parent.request.bars
    fields = {f["name"]: f["value"] for f in result["embeds"][0]["fields"]}
    assert fields["Variation of"] == f"`{parent.id}`" and fields["ID"] == f"`{child.id}`"
    assert custom_ids(result)[2] == f"cadenza:var:{child.id}"
    assert child.origin.user == int(bob["id"])


async def test_reroll_asks_the_same_request_again(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], alice: dict[str, Any]) -> None:
    message, first = composed
    sent = await fake.press(message, f"cadenza:reroll:{first.id}", alice)
    await sent.response(finished)
    second = next(g for g in services.generations.values() if g.id != first.id)
    assert second.parents == (first.id,) and second.kind == "reroll" and second.request.text == first.request.text
    assert second.request.seed != first.request.seed


async def test_score_sends_the_pieces_musicxml_to_the_presser_alone(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
        composed: tuple[dict[str, Any], Generation], bob: dict[str, Any]) -> None:
    message, piece = composed
    sent = await fake.press(message, f"cadenza:score:{piece.id}", bob)
    callback = await sent.callback()
    assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL
    reply = await sent.response(lambda m: bool(m["attachments"]))
    [upload] = [c for c in sent.calls() if c.method == "PATCH"][-1].files
    assert upload.filename == f"cadenza-{piece.id}.musicxml" and b"<score-partwise" in upload.data
    assert f"`{piece.id}`" in reply["content"] and "MusicXML" in reply["content"]
    assert len(services.generations) == 1  # nothing new was composed


async def test_score_of_an_unknown_piece_says_so(fake: FakeDiscord, bot: CadenzaBot,
                                                 composed: tuple[dict[str, Any], Generation],
                                                 bob: dict[str, Any]) -> None:
    message, _ = composed
    stale = {**message, "components": [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "Score", "custom_id": "cadenza:score:0123456789ab"}]}]}
    sent = await fake.press(stale, "cadenza:score:0123456789ab", bob)
    await sent.callback()
    followup = await sent.followup()
    assert followup["flags"] & EPHEMERAL and "0123456789ab" in followup["content"]


async def test_style_autocomplete_matches_names_and_aliases(
        fake: FakeDiscord, bot: CadenzaBot, alice: dict[str, Any]) -> None:
    sent = await fake.autocomplete("compose", alice, "style", style="bossa")
    callback = await sent.callback()
    assert callback["type"] == 8
    assert [c["value"] for c in callback["data"]["choices"]] == ["jazz"]
    assert callback["data"]["choices"][0]["name"].startswith("jazz (bossa")


async def test_a_second_compose_within_the_cooldown_is_refused(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, services: InMemoryServices,
        alice: dict[str, Any]) -> None:
    async with start_bot(settings.model_copy(update={"discord_cooldown_s": 60}), services):
        first = await fake.invoke("compose", alice, text="folk", bars=1, seed=3)
        await first.response(finished)
        second = await (await fake.invoke("compose", alice, text="folk", bars=1, seed=3)).callback()
    assert second["type"] == 4 and second["data"]["flags"] & EPHEMERAL
    assert "you can compose again in" in second["data"]["content"]
    assert len(services.generations) == 1


async def test_a_full_queue_answers_busy(fake: FakeDiscord, start_bot: Any, settings: BotSettings,
                                         alice: dict[str, Any], bob: dict[str, Any]) -> None:
    def settled(sent: Sent) -> bool:
        """Answered with a result or with a follow-up."""
        message = fake.original(sent.token)
        return bool(fake.followups(sent.token) or message and message["attachments"])

    services = InMemoryServices(Composer(settings), queue_limit=1, seeds=random.Random(1))
    async with start_bot(settings, services):
        both = [await fake.invoke("compose", user, text="pop", bars=1, seed=3) for user in (alice, bob)]
        await fake.wait_for(lambda: all(settled(s) for s in both))
    [refused] = [s for s in both if fake.followups(s.token)]
    [busy] = fake.followups(refused.token)
    assert busy["flags"] & EPHEMERAL and "busy; try again in" in busy["content"]
    assert fake.original(refused.token) is None  # the public "thinking…" response was removed
    assert len(services.generations) == 1


async def test_a_queued_request_shows_its_position(fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices,
                                                   alice: dict[str, Any], bob: dict[str, Any]) -> None:
    both = [await fake.invoke("compose", user, text="blues", bars=1, seed=3) for user in (alice, bob)]
    for sent in both:
        await sent.response(finished)
    progress = [(c.json or {}).get("content") for s in both for c in s.calls() if c.method == "PATCH"]
    assert "⏳ In the queue: 1 piece ahead of yours…" in progress
    assert len(services.generations) == 2
