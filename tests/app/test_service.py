"""The application's use cases end to end on SQLite: record (with parents), rate, explain, reset, forget."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.service import Cadenza, Origin, UnknownGeneration
from engine.compose import Composer
from engine.requests import parse_request
from storage import Database
from storage.models import GenerationKind


async def _open(composer: Composer, tmp_path: Path) -> Cadenza:
    """The application on a fresh, migrated SQLite database in `tmp_path`."""
    db = Database.create(f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}")
    await db.migrate()
    return Cadenza(composer.settings, db, composer)


def test_compose_rate_prefs_reset_forget(composer: Composer, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = await _open(composer, tmp_path)
        slow = [await app.compose(parse_request(f"lofi slow 2 bars seed {i}"), user_id="u1", out_dir=tmp_path / str(i))
                for i in range(2)]
        fast = await app.compose(parse_request("rock fast 2 bars seed 9"), user_id="u1", out_dir=tmp_path / "f",
                                 parents=[slow[0].id], kind=GenerationKind.REROLL)
        stored = await app.generation(fast.id)
        assert (stored.kind, stored.parent_ids, stored.user_id) == ("reroll", [slow[0].id], "u1")
        assert (await app.generation(slow[1].id)).kind == "compose"
        with pytest.raises(UnknownGeneration):
            await app.generation("000000000000")
        for comp in slow:
            await app.rate("u1", comp.id, 5)
        await app.rate("u1", fast.id, 2)
        again = await app.rate("u1", fast.id, 1)  # re-rating replaces
        assert again["votes"] == 1
        with pytest.raises(UnknownGeneration):
            await app.rate("u1", "000000000000", 3)
        prefs = await app.prefs("u1")
        assert prefs["ratings"] == 3 and prefs["likes"], prefs
        history = await app.history("u1")
        assert {g["id"] for g in history["generations"]} == {c.id for c in [*slow, fast]}
        assert (await app.reset_prefs("u1"))["reset"]
        assert (await app.prefs("u1"))["ratings"] == 0
        report = await app.forget("u1")
        assert report["deleted"]["generations"] == 3 and report["deleted"]["ratings"] == 3
        assert (await app.history("u1"))["generations"] == []
        await app.close()

    asyncio.run(scenario())


def test_channel_taste_pools_other_members(composer: Composer, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = await _open(composer, tmp_path)
        piece = await app.compose(parse_request("lofi slow 2 bars seed 1"), user_id="ann", channel_id="c1",
                                  out_dir=tmp_path / "a")
        elsewhere = await app.compose(parse_request("rock 2 bars seed 2"), user_id="ann", channel_id="c2",
                                      out_dir=tmp_path / "b")
        await app.rate("ann", piece.id, 5)
        await app.rate("bob", piece.id, 4)
        await app.rate("bob", elsewhere.id, 1)
        channel = await app.channel_taste("c1")
        assert channel.ratings == 2  # only ratings of the channel's pieces count
        assert (await app.channel_taste("c1", exclude_user="ann")).ratings == 1
        pooled = await app.listener_taste("ann", "c1")
        assert pooled is not None and pooled.ratings == 2  # ann's own rating, plus bob's in c1
        assert await app.listener_taste(None, None) is None
        await app.close()

    asyncio.run(scenario())


def test_similar_finds_the_closest_pieces_first(composer: Composer, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = await _open(composer, tmp_path)
        folk = await app.compose(parse_request("folk 4 bars seed 1"), user_id="u", out_dir=tmp_path / "a")
        again = await app.compose(parse_request("folk 4 bars seed 1"), user_id="u", out_dir=tmp_path / "b")
        other = await app.compose(parse_request("jazz 4 bars seed 7"), user_id="u", out_dir=tmp_path / "c")
        result = await app.similar(folk.id)
        ids = [s["id"] for s in result["similar"]]
        assert ids == [again.id, other.id]  # the same request and seed is the same music
        assert result["similar"][0]["similarity"] == pytest.approx(1.0)
        with pytest.raises(UnknownGeneration):
            await app.similar("000000000000")
        await app.close()

    asyncio.run(scenario())


def test_derived_pieces_are_recorded_with_their_parents(composer: Composer, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = await _open(composer, tmp_path)
        first = await app.compose(parse_request("pop 4 bars seed 1"), user_id="u1", out_dir=tmp_path / "a")
        second = await app.compose(parse_request("folk 4 bars seed 2"), user_id="u1", out_dir=tmp_path / "b")
        who = Origin(user_id="u2", channel_id="c1")
        var = await app.variation(await app.parent(first.id), seed=3, origin=who, out_dir=tmp_path / "v")
        cont = await app.continuation(await app.parent(first.id), 4, origin=who, out_dir=tmp_path / "c")
        glide = await app.interpolation(await app.parent(first.id), await app.parent(second.id), 2, origin=who,
                                        out_dir=tmp_path / "i")
        upload = await app.upload_parent(first.files["midi"].read_bytes(), "mine.mid", style="jazz")
        remix = await app.remix(upload, parse_request("lofi"), origin=who, out_dir=tmp_path / "r")
        expected = {var.id: ("variation", [first.id]), cont.id: ("continuation", [first.id]),
                    glide.id: ("interpolation", [first.id, second.id]), remix.id: ("remix", [])}
        for gen_id, (kind, parents) in expected.items():
            stored = await app.generation(gen_id)
            assert (stored.kind, stored.parent_ids, stored.user_id, stored.channel_id) == (kind, parents, "u2", "c1")
        assert (await app.generation(cont.id)).request["bars"] == 8
        assert upload.request.style == "jazz"
        await app.close()

    asyncio.run(scenario())
