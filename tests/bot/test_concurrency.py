"""SPEC §7's load target through the real client and the fake: 100 requests at once are all answered (a result
or an explicit busy), and 100 ratings at once are all kept."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.config import BotSettings
from bot.stored_services import StoredServices
from storage.repositories import RatingRepository
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord, Sent

pytestmark = pytest.mark.asyncio
USERS = 100


async def test_a_hundred_requests_at_once_are_all_answered_and_a_hundred_ratings_all_kept(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, tmp_path: Path) -> None:
    settings = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'load.sqlite3'}",
                                           "discord_guild_concurrency": USERS})  # the engine queue is the limit
    users = [fake.make_user(f"user{i}") for i in range(USERS)]

    def answered(sent: Sent) -> bool:
        message = fake.original(sent.token)
        return bool(fake.followups(sent.token) or message and message["attachments"])

    services = await StoredServices.open(settings, settings.discord_queue_limit)
    try:
        async with start_bot(settings, services):
            sent = await asyncio.gather(*(fake.invoke("compose", user, text="folk", bars=1, seed=i)
                                          for i, user in enumerate(users)))
            await fake.wait_for(lambda: all(answered(s) for s in sent), timeout=120)
            results = [fake.original(s.token) for s in sent if not fake.followups(s.token)]
            refusals = [fake.followups(s.token)[0] for s in sent if fake.followups(s.token)]
            assert len(results) + len(refusals) == USERS
            assert results  # (how many depends on how fast jobs finish while the requests arrive)
            assert all(r["flags"] & EPHEMERAL and "busy; try again in" in r["content"] for r in refusals)

            message = results[0]
            assert message is not None
            piece = message["embeds"][0]["fields"][-1]["value"].strip("`")
            presses = await asyncio.gather(*(fake.press(message, f"cadenza:rate:{piece}:5", user) for user in users))
            thanks = await asyncio.gather(*(p.callback() for p in presses))
            assert all("👍" in t["data"]["content"] for t in thanks)
            async with services.app.db.session() as session:
                ratings = await RatingRepository(session).for_generation(piece)
            assert sorted(r.user_id for r in ratings) == sorted(u["id"] for u in users)
    finally:
        await services.close()
