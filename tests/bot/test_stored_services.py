"""`StoredServices` on SQLite through the real client: what the bot records survives a restart."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import BotSettings
from bot.stored_services import StoredServices
from storage.models import Job, JobStatus
from storage.repositories import RatingRepository
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord
from tests.bot.helpers import ephemeral_reply, field, finished

pytestmark = pytest.mark.asyncio


async def test_generations_and_ratings_survive_a_restart_and_people_commands_read_them(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, alice: dict[str, Any], tmp_path: Path) -> None:
    settings = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"})
    first = await StoredServices.open(settings, settings.discord_queue_limit)
    try:
        async with start_bot(settings, first):
            message = await (await fake.invoke("compose", alice, text="lofi", bars=2, seed=5)).response(finished)
            piece = field(message, "ID")
            liked = await (await fake.press(message, f"cadenza:rate:{piece}:5", alice)).callback()
            assert "👍" in liked["data"]["content"]
    finally:
        await first.close()

    second = await StoredServices.open(settings, settings.discord_queue_limit)  # a new process, in effect
    try:
        async with start_bot(settings, second):
            disliked = await (await fake.press(message, f"cadenza:rate:{piece}:1", alice)).callback()
            assert "👎" in disliked["data"]["content"] and disliked["data"]["flags"] & EPHEMERAL
            async with second.app.db.session() as session:
                [rating] = await RatingRepository(session).for_generation(piece)
            assert (rating.user_id, rating.score) == (alice["id"], 1)
            stored = await second.app.generation(piece)
            assert (stored.user_id, stored.guild_id, stored.channel_id) == (
                alice["id"], str(fake.guild_id), str(fake.channel_id))

            variation = await (await fake.press(message, f"cadenza:var:{piece}", alice)).response(finished)
            child = await second.app.generation(field(variation, "ID"))
            assert (child.kind, child.parent_ids) == ("variation", [piece])
            parent_key = (await second.app.parent(piece)).request.key
            assert child.request["key"] == str(parent_key)  # the key the parent was written in
            assert (child.request["style"], child.request["bars"]) == ("lofi", 2)
            assert field(variation, "Variation of") == piece
            reroll = await (await fake.press(message, f"cadenza:reroll:{piece}", alice)).response(finished)
            rerolled = await second.app.generation(field(reroll, "ID"))
            assert (rerolled.kind, rerolled.parent_ids, rerolled.request["text"]) == ("reroll", [piece], "lofi")
            continued = await (await fake.press(message, f"cadenza:cont:{piece}", alice)).response(finished)
            longer = await second.app.generation(field(continued, "ID"))
            assert (longer.kind, longer.parent_ids, longer.request["bars"]) == ("continuation", [piece], 10)
            assert field(continued, "Continuation of") == piece
            score_file = settings.output_dir / piece / f"cadenza-{piece}.musicxml"
            assert not score_file.exists()  # the bot writes a piece's score only when asked
            scored = await (await fake.press(message, f"cadenza:score:{piece}", alice)).response(
                lambda m: bool(m["attachments"]))
            assert scored["attachments"][0]["filename"] == score_file.name
            assert b"<score-partwise" in score_file.read_bytes()

            prefs = await ephemeral_reply(fake, "prefs", alice)
            assert "1 rating" in prefs
            async with second.app.db.session() as session:
                assert (await session.scalars(select(Job))).all() == []  # delivered jobs leave no journal entry
            history = await ephemeral_reply(fake, "history", alice)
            assert history.index(child.id) < history.index(piece)  # newest first
            assert "👎 1/5" in history and "(variation)" in history and "(reroll)" in history
            assert "not rated" in history
            assert "afresh" in await ephemeral_reply(fake, "prefs", alice, reset=True)
            assert "0 ratings" in await ephemeral_reply(fake, "prefs", alice)

            assert "confirm:True" in await ephemeral_reply(fake, "forget-me", alice)
            assert (await second.app.history(alice["id"]))["generations"]  # nothing deleted without confirming
            forgotten = await ephemeral_reply(fake, "forget-me", alice, confirm=True)
            assert "4 pieces" in forgotten and "1 rating" in forgotten
            assert (await second.app.history(alice["id"]))["generations"] == []
            assert "no pieces yet" in await ephemeral_reply(fake, "history", alice)
            gone = await (await fake.press(message, f"cadenza:rate:{piece}:5", alice)).callback()
            assert f"I don't have a piece with id `{piece}`" in gone["data"]["content"]
    finally:
        await second.close()


async def test_a_job_a_killed_process_left_unanswered_is_answered_by_the_next(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, alice: dict[str, Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    live, left = tmp_path / "live.sqlite3", tmp_path / "left-by-the-dead.sqlite3"
    first = await StoredServices.open(settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{live}"}),
                                      settings.discord_queue_limit)
    composing, stuck_jobs = asyncio.Event(), []

    async def stuck(request: Any, progress: Any, taste: Any = None) -> Any:
        stuck_jobs.append(asyncio.current_task())
        composing.set()
        await asyncio.Event().wait()  # until the test ends it, as a kill would

    monkeypatch.setattr(first, "_run_composer", stuck)
    second = None
    try:
        async with start_bot(settings, first):
            sent = await fake.invoke("compose", alice, text="jazz", bars=2, seed=1)
            assert (await sent.callback())["type"] == 5
            await asyncio.wait_for(composing.wait(), 30)
            with sqlite3.connect(live) as source, sqlite3.connect(left) as copy:
                source.backup(copy)  # the database as a process killed now would leave it
        second = await StoredServices.open(
            settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{left}"}), settings.discord_queue_limit)
        async with start_bot(settings, second):
            answer = await sent.response(lambda m: "restarted" in (m.get("content") or ""))
            assert "please ask again" in answer["content"]
            async with second.app.db.session() as session:
                [job] = (await session.scalars(select(Job))).all()
            assert (job.status, job.payload["what"]) == (JobStatus.FAILED, "🎼 Composing and rendering…")
        async with start_bot(settings, second):  # a second restart has nothing left to answer
            assert await second.interrupted() == []
    finally:
        for job in stuck_jobs:  # the first process's job, still "composing", ends unanswered
            job.cancel()
        await asyncio.gather(*stuck_jobs, return_exceptions=True)
        await first.close()
        if second is not None:
            await second.close()
