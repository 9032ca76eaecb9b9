"""Cadenza's use cases over the engine and storage: what the command line and the bot both call.

Compose (recording the generation, steered by the listener's taste), rate, explain and reset what
was learnt, list history, forget a user. A user's taste is recomputed from their ratings each time
(exact, and re-rating or forgetting needs no bookkeeping); `reset_prefs` records a moment from
which ratings count again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from engine.compose import FILE_KINDS, Composer, Composition
from engine.derive import Deriver, Parent
from engine.mir.similarity import embedding, nearest
from engine.music.midi import read_midi
from engine.personalization.taste import Taste, explain, learn, pool, taste_vector
from engine.requests import Request
from engine.settings import Settings, get_settings
from storage import Database
from storage.models import Generation, GenerationKind
from storage.repositories import (
    ChannelSettingsRepository,
    GenerationRepository,
    PreferenceRepository,
    RatingRepository,
    UserRepository,
)
from storage.repositories.channels import ChannelRules

RESET_KEY = "taste_reset_at"
CHANNEL_HISTORY = 200
SIMILAR_POOL = 2000
"""How many of the latest generations `similar` searches."""
"""How many of a channel's latest pieces its taste is learnt from."""


@dataclass(frozen=True)
class Origin:
    """Who asked for a piece, and where: recorded with it."""

    user_id: str | None = None
    guild_id: str | None = None
    channel_id: str | None = None


NOBODY = Origin()


class UnknownGeneration(LookupError):
    """No generation has that id."""


def _latent_bytes(comp: Composition) -> bytes:
    return comp.latent.numpy().astype(np.float32).tobytes()


def _latent_of(gen: Generation) -> np.ndarray | None:
    return np.frombuffer(gen.latent, dtype=np.float32) if gen.latent else None


def parent_of(gen: Generation) -> Parent:
    """A stored generation as a piece to derive from: its request, the MIDI as heard, its latents."""
    return Parent.of_generation(gen.id, Request.from_dict(gen.request), gen.seed, gen.model, read_midi(gen.midi),
                                _latent_of(gen))


class Cadenza:
    """The application: one composer (models loaded once) and one database."""

    def __init__(self, settings: Settings, db: Database, composer: Composer) -> None:
        self.settings, self.db, self.composer = settings, db, composer
        self.deriver = Deriver(composer)

    @classmethod
    async def open(cls, settings: Settings | None = None, file_kinds: tuple[str, ...] = FILE_KINDS) -> Cadenza:
        """Connect to the configured database and bring its schema up to date; compositions get `file_kinds`."""
        settings = settings or get_settings()
        db = Database.create(settings.database_url)
        await db.migrate()
        return cls(settings, db, Composer(settings, file_kinds))

    async def close(self) -> None:
        await self.db.close()

    async def taste_of(self, user_id: str) -> Taste:
        """What the user's ratings (since their last reset) say they like."""
        async with self.db.session() as session:
            ratings = await RatingRepository(session).list_for_user(user_id)
            reset = await PreferenceRepository(session).get(user_id, RESET_KEY)
        since = datetime.fromisoformat(reset) if reset else None
        return learn([(taste_vector(r.generation.features, _latent_of(r.generation)), r.score)
                      for r in ratings if since is None or r.updated_at > since])

    async def channel_taste(self, channel_id: str, exclude_user: str | None = None,
                            limit: int = CHANNEL_HISTORY) -> Taste:
        """What the channel's members' ratings of its recent pieces say it likes (one user's left out)."""
        async with self.db.session() as session:
            generations = await GenerationRepository(session).list_by_channel(channel_id, limit)
            ratings = [(g, r) for g in generations for r in await RatingRepository(session).for_generation(g.id)
                       if r.user_id != exclude_user]
        return learn([(taste_vector(g.features, _latent_of(g)), r.score) for g, r in ratings])

    async def listener_taste(self, user_id: str | None, channel_id: str | None) -> Taste | None:
        """The user's taste pooled with their channel's (other members' evidence); None if neither is known."""
        tastes = ([await self.taste_of(user_id)] if user_id else []) + \
                 ([await self.channel_taste(channel_id, exclude_user=user_id)] if channel_id else [])
        return pool(tastes) if tastes else None

    async def compose(self, request: Request, *, user_id: str | None = None, guild_id: str | None = None,
                      channel_id: str | None = None, out_dir: Path | None = None, parents: Sequence[str] = (),
                      kind: GenerationKind = GenerationKind.COMPOSE) -> Composition:
        """Compose (steered by the user's and the channel's taste when known) and record the generation."""
        taste = await self.listener_taste(user_id, channel_id)
        comp = await asyncio.to_thread(self.composer.compose, request, out_dir, taste)
        await self.record(comp, user_id=user_id, guild_id=guild_id, channel_id=channel_id, parents=parents, kind=kind)
        return comp

    async def record(self, comp: Composition, *, user_id: str | None = None, guild_id: str | None = None,
                     channel_id: str | None = None, parents: Sequence[str] = (),
                     kind: GenerationKind = GenerationKind.COMPOSE) -> None:
        """Store a composition made elsewhere (e.g. on the bot's engine thread), with who asked and its parents."""
        async with self.db.session() as session:
            await GenerationRepository(session).add(Generation(
                id=comp.id, user_id=user_id, guild_id=guild_id, channel_id=channel_id, kind=kind,
                request=comp.request.to_dict(), model=comp.model, seed=comp.seed, latent=_latent_bytes(comp),
                midi=comp.files["midi"].read_bytes(), tags=comp.tags, features=comp.features, parent_ids=list(parents)))

    async def parent(self, generation_id: str) -> Parent:
        """A stored generation as a piece to derive from."""
        return parent_of(await self.generation(generation_id))

    async def upload_parent(self, data: bytes, name: str, style: str | None = None) -> Parent:
        """An uploaded file as a piece to derive from (parsed under the upload limits; UnreadableFile if
        refused, RequestError if it cannot be worked from)."""
        return await asyncio.to_thread(self.deriver.upload, data, name, style)

    async def variation(self, parent: Parent, *, seed: int | None = None, model: str | None = None,
                        origin: Origin = NOBODY, out_dir: Path | None = None) -> Composition:
        """A piece near the parent in the model's latent space, recorded with its parent."""
        return await self._derived(GenerationKind.VARIATION, lambda s, out: self.deriver.variation(
            parent, s, model=model, out_dir=out), seed, origin, out_dir)

    async def continuation(self, parent: Parent, bars: int, *, seed: int | None = None, model: str | None = None,
                           origin: Origin = NOBODY, out_dir: Path | None = None) -> Composition:
        """The parent with `bars` more bars, recorded with its parent."""
        return await self._derived(GenerationKind.CONTINUATION, lambda s, out: self.deriver.continuation(
            parent, bars, s, model=model, out_dir=out), seed, origin, out_dir)

    async def interpolation(self, first: Parent, last: Parent, steps: int, *, seed: int | None = None,
                            model: str | None = None, origin: Origin = NOBODY,
                            out_dir: Path | None = None) -> Composition:
        """A piece gliding from one parent to the other, recorded with both."""
        return await self._derived(GenerationKind.INTERPOLATION, lambda s, out: self.deriver.interpolation(
            first, last, steps, s, model=model, out_dir=out), seed, origin, out_dir)

    async def remix(self, parent: Parent, request: Request, *, seed: int | None = None, origin: Origin = NOBODY,
                    out_dir: Path | None = None) -> Composition:
        """The parent's latents written out as `request` asks (another style, tempo, ensemble)."""
        return await self._derived(GenerationKind.REMIX, lambda s, out: self.deriver.remix(
            parent, request, s, out_dir=out), seed, origin, out_dir)

    async def _derived(self, kind: GenerationKind, make: Callable[[int, Path | None], Composition],
                       seed: int | None, origin: Origin, out_dir: Path | None) -> Composition:
        """Run a derivation off the event loop and record it."""
        seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
        comp = await asyncio.to_thread(make, seed, out_dir)
        await self.record(comp, user_id=origin.user_id, guild_id=origin.guild_id, channel_id=origin.channel_id,
                          parents=comp.parents, kind=kind)
        return comp

    async def generation(self, generation_id: str) -> Generation:
        """The stored generation; UnknownGeneration if there is none with that id."""
        async with self.db.session() as session:
            found = await GenerationRepository(session).get(generation_id)
        if found is None:
            raise UnknownGeneration(f"no generation with id {generation_id!r}")
        return found

    async def rate(self, user_id: str, generation_id: str, score: int) -> dict[str, Any]:
        """Record (or replace) a 1–5 vote; returns the generation's vote summary."""
        async with self.db.session() as session:
            if await GenerationRepository(session).get(generation_id) is None:
                raise UnknownGeneration(f"no generation with id {generation_id!r}")
            await RatingRepository(session).rate(user_id, generation_id, score)
            stats = await RatingRepository(session).stats(generation_id)
        return {"user": user_id, "generation": generation_id, "score": score, "votes": stats.votes,
                "mean": round(stats.mean, 2) if stats.mean is not None else None}

    async def prefs(self, user_id: str) -> dict[str, Any]:
        """What personalization learnt, in plain words."""
        taste = await self.taste_of(user_id)
        likes = explain(taste)
        summary = (f"from {taste.ratings} rating{'s' if taste.ratings != 1 else ''}: you like " + ", ".join(likes)
                   if likes else f"nothing clear yet ({taste.ratings} rating{'s' if taste.ratings != 1 else ''})")
        return {"user": user_id, "ratings": taste.ratings, "likes": likes, "summary": summary}

    async def reset_prefs(self, user_id: str) -> dict[str, Any]:
        """Forget what was learnt (ratings stay on the pieces; they stop counting for taste)."""
        async with self.db.session() as session:
            await PreferenceRepository(session).set(user_id, datetime.now(UTC).isoformat(), RESET_KEY)
        return {"user": user_id, "reset": True}

    async def history(self, user_id: str, limit: int = 20) -> dict[str, Any]:
        """The user's latest generations with their requests and the user's own ratings."""
        async with self.db.session() as session:
            generations = await GenerationRepository(session).list_by_user(user_id, limit)
            mine = {r.generation_id: r.score for r in await RatingRepository(session).list_for_user(user_id)}
        return {"user": user_id, "generations": [
            {"id": g.id, "created_at": g.created_at.isoformat(), "kind": g.kind, "request": g.request.get("text"),
             "style": g.request.get("style"), "bars": g.request.get("bars"), "rating": mine.get(g.id)}
            for g in generations]}

    async def similar(self, generation_id: str, limit: int = 5, pool: int = SIMILAR_POOL) -> dict[str, Any]:
        """The stored generations closest to this one (features and latent), most similar first."""
        async with self.db.session() as session:
            target = await GenerationRepository(session).get(generation_id)
            if target is None:
                raise UnknownGeneration(f"no generation with id {generation_id!r}")
            others = [g for g in await GenerationRepository(session).latest(pool) if g.id != generation_id]
        found = nearest(embedding(target.features, _latent_of(target)),
                        [embedding(g.features, _latent_of(g)) for g in others], limit)
        return {"generation": generation_id, "similar": [
            {"id": others[i].id, "similarity": sim, "style": others[i].request.get("style"),
             "request": others[i].request.get("text")} for i, sim in found]}

    async def top(self, guild_id: str | None, channel_id: str | None, limit: int = 5) -> dict[str, Any]:
        """The best-rated generations made in a channel (or a server; everywhere when both are None)."""
        async with self.db.session() as session:
            best = await GenerationRepository(session).top_rated(guild_id=guild_id, channel_id=channel_id, limit=limit)
        return {"guild": guild_id, "channel": channel_id, "generations": [
            {"id": r.generation.id, "mean": round(r.mean, 2), "votes": r.votes,
             "style": r.generation.request.get("style"), "request": r.generation.request.get("text")} for r in best]}

    async def channel_rules(self, guild_id: str, channel_id: str) -> ChannelRules:
        """The settings in force in a channel: its own, else its server's."""
        async with self.db.session() as session:
            return await ChannelSettingsRepository(session).effective(guild_id, channel_id)

    async def set_channel_rules(self, guild_id: str, channel_id: str, **changes: Any) -> ChannelRules:
        """Change a channel's (channel_id GUILD_WIDE: the server's) settings; see ChannelSettingsRepository.update."""
        async with self.db.session() as session:
            await ChannelSettingsRepository(session).update(guild_id, channel_id, **changes)
            return await ChannelSettingsRepository(session).effective(guild_id, channel_id)

    async def forget(self, user_id: str) -> dict[str, Any]:
        """Delete everything of the user's; says what was deleted."""
        async with self.db.session() as session:
            report = await UserRepository(session).forget(user_id)
        return {"user": user_id, "deleted": report.to_json()}
