"""/jam through the real client and the fake: a thread opens, proposals are voted on, the winner is appended."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import CadenzaBot
from bot.config import BotSettings
from bot.services import InMemoryServices
from bot.stored_services import StoredServices
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord
from tests.bot.helpers import custom_ids, field, finished

pytestmark = pytest.mark.asyncio


async def jam_session(fake: FakeDiscord, alice: dict[str, Any], bob: dict[str, Any]) -> dict[str, Any]:
    """Alice starts a jam; two rounds of proposals and votes; what each step answered."""
    opening = await (await fake.invoke("jam start", alice, text="folk 4 bars seed 3")).response(finished)
    [thread] = fake.threads.values()
    proposals = await (await fake.invoke("jam propose", bob, in_channel=thread["id"])).response(finished)
    votes = [c for c in custom_ids(proposals) if c.startswith("cadenza:jamvote:1:")]
    first_vote = await (await fake.press(proposals, votes[1], alice)).callback()
    await (await fake.press(proposals, votes[1], bob)).callback()
    changed = await (await fake.press(proposals, votes[0], bob)).callback()  # bob changes his mind
    await (await fake.press(proposals, votes[1], fake.make_user("Carol"))).callback()
    chosen = await (await fake.invoke("jam next", alice, in_channel=thread["id"])).response(finished)
    stale = await (await fake.press(proposals, votes[0], alice)).callback()
    no_votes = await fake.invoke("jam next", alice, in_channel=thread["id"])
    await fake.wait_for(lambda: bool(fake.followups(no_votes.token)))
    exported = await (await fake.invoke("jam export", bob, in_channel=thread["id"])).response(finished)
    return {"opening": opening, "thread": thread, "proposals": proposals, "votes": votes, "first_vote": first_vote,
            "changed": changed, "chosen": chosen, "stale": stale,
            "no_votes": fake.followups(no_votes.token)[0], "exported": exported}


async def test_a_jam_grows_by_the_section_its_members_vote_for(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices, alice: dict[str, Any],
        bob: dict[str, Any]) -> None:
    run = await jam_session(fake, alice, bob)
    thread = run["thread"]
    assert thread["parent_id"] == str(fake.channel_id) and thread["name"].startswith("🎶 Jam: folk")
    assert f"<#{thread['id']}>" in run["opening"]["content"]
    [intro] = fake.channel_messages(thread["id"])
    assert "/jam propose" in intro["content"]
    opening_id = field(run["opening"], "ID")

    proposals = run["proposals"]
    assert proposals["channel_id"] == thread["id"] and len(proposals["embeds"]) == 2
    assert len(proposals["attachments"]) == 6 and len(run["votes"]) == 2
    candidates = [v.split(":")[3] for v in run["votes"]]
    for candidate in candidates:
        child = services.generations[candidate]
        assert child.parents == (opening_id,) and child.request.bars == 12 and child.origin.channel == int(thread["id"])
    first_vote = run["first_vote"]["data"]
    assert first_vote["flags"] & EPHEMERAL and "Your vote for B is in" in first_vote["content"]
    assert f"`{candidates[0]}` 1" in run["changed"]["data"]["content"]  # bob's vote moved: B 1, A 1

    chosen = run["chosen"]
    winner = field(chosen, "ID")
    assert winner == candidates[1] and "won with 2 votes" in chosen["content"] and "12 bars" in chosen["content"]
    assert "round 1; this jam is on round 2" in run["stale"]["data"]["content"]
    assert "no votes yet" in run["no_votes"]["content"] and run["no_votes"]["flags"] & EPHEMERAL
    assert field(run["exported"], "ID") == winner and "12 bars" in run["exported"]["content"]


async def test_jam_commands_outside_a_jam_say_how_to_start_one(
        fake: FakeDiscord, bot: CadenzaBot, alice: dict[str, Any]) -> None:
    sent = await fake.invoke("jam propose", alice)
    await fake.wait_for(lambda: bool(fake.followups(sent.token)))
    [refusal] = fake.followups(sent.token)
    assert "no jam here" in refusal["content"] and refusal["flags"] & EPHEMERAL


async def test_a_stored_jam_survives_in_the_database(
        fake: FakeDiscord, start_bot: Any, settings: BotSettings, alice: dict[str, Any], bob: dict[str, Any],
        tmp_path: Path) -> None:
    settings = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'jam.sqlite3'}"})
    services = await StoredServices.open(settings, settings.discord_queue_limit)
    try:
        async with start_bot(settings, services):
            run = await jam_session(fake, alice, bob)
        winner = field(run["chosen"], "ID")
        jam = await services.jams.get(int(run["thread"]["id"]))
        assert jam is not None and (jam.head, jam.round) == (winner, 2)
        stored = await services.app.generation(winner)
        assert stored.kind == "continuation" and stored.channel_id == run["thread"]["id"]
        assert Path(run["exported"]["attachments"][0]["filename"]).suffix in {".ogg", ".mid", ".png"}
    finally:
        await services.close()
