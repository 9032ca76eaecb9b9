"""What the cogs ask of the engine and storage, as one interface, and an in-memory implementation of it.

The cogs see only `Services`. `InMemoryServices` runs the engine's `Composer` in-process and keeps
generations and ratings in dictionaries, so they last as long as the process; a storage-backed
implementation (generations, ratings and users in the database) is meant to replace it.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engine.compose import Composer, Composition
from engine.mir.analysis import analyse
from engine.mir.loading import UnreadableFile, load_score_bytes
from engine.mir.tagger import classify, score_views
from engine.models.registry import ModelUnavailable, load_style_tagger
from engine.music.score import Key
from engine.requests import Request

from .errors import ServiceError, UnknownGeneration
from .worker import EngineQueue, Progress


@dataclass(frozen=True)
class Origin:
    """Who asked, and where (None outside a server or channel)."""

    user: int
    guild: int | None = None
    channel: int | None = None


@dataclass(frozen=True)
class Generation:
    """A finished piece as the bot shows it."""

    id: str
    request: Request
    model: str
    seed: int
    key: Key | None
    """The key the piece is in: the requested one, else the one the model chose."""
    tags: dict[str, Any]
    files: dict[str, Path]
    """`midi`, `audio`, `image`, `musicxml` → file."""
    origin: Origin
    parent: str | None = None
    """The generation this one is a variation of."""


class Services(Protocol):
    """The engine and storage as the cogs use them. Failures the user should read are `ServiceError`s
    (or the engine's `RequestError`); `progress` is told the queue position as the job waits and 0 when
    it starts."""

    async def compose(self, request: Request, origin: Origin, progress: Progress) -> Generation: ...

    async def variation(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        """New material in the parent's style, key, tempo, meter and band."""

    async def reroll(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        """The parent's request asked again, with a fresh seed."""

    async def rate(self, user: int, generation_id: str, score: int) -> None:
        """Record `score` (1–5); rating the same piece again replaces the earlier score."""

    async def tag(self, data: bytes, filename: str, progress: Progress) -> dict[str, Any]:
        """The `cadenza tag` JSON (SPEC §3) of an uploaded MIDI/MusicXML/ABC file; `file` is `filename`."""

    async def close(self) -> None:
        """Refuse new work and finish the job running now."""


class InMemoryServices:
    """`Services` over an in-process `Composer`; generations and ratings live in dictionaries."""

    def __init__(self, composer: Composer, queue_limit: int, seeds: random.Random | None = None) -> None:
        self._composer = composer
        self._queue = EngineQueue(queue_limit)
        self._seeds = seeds or random.SystemRandom()
        """Where variations and rerolls get their fresh seeds."""
        self.generations: dict[str, Generation] = {}
        self.ratings: dict[tuple[int, str], int] = {}
        """(user, generation id) → score 1–5."""

    async def compose(self, request: Request, origin: Origin, progress: Progress,
                      parent: str | None = None) -> Generation:
        composition = await self._queue.run(lambda: self._compose(request), progress)
        generation = Generation(composition.id, request, composition.model, composition.seed,
                                composition.score.key, composition.tags, composition.files, origin, parent)
        self.generations[generation.id] = generation
        return generation

    async def variation(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        parent = self._get(generation_id)
        request = dataclasses.replace(parent.request, key=parent.key, seed=self._fresh_seed())
        return await self.compose(request, origin, progress, parent=parent.id)

    async def reroll(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        parent = self._get(generation_id)
        return await self.compose(dataclasses.replace(parent.request, seed=self._fresh_seed()), origin, progress)

    async def rate(self, user: int, generation_id: str, score: int) -> None:
        if not 1 <= score <= 5:
            raise ServiceError(f"a rating is 1–5, not {score}")
        self._get(generation_id)
        self.ratings[(user, generation_id)] = score

    async def tag(self, data: bytes, filename: str, progress: Progress) -> dict[str, Any]:
        return await self._queue.run(lambda: self._tag(data, filename), progress)

    async def close(self) -> None:
        await self._queue.close()

    def _fresh_seed(self) -> int:
        return self._seeds.randrange(2**31)

    def _get(self, generation_id: str) -> Generation:
        try:
            return self.generations[generation_id]
        except KeyError:
            raise UnknownGeneration(generation_id) from None

    def _compose(self, request: Request) -> Composition:
        try:
            return self._composer.compose(request)
        except ModelUnavailable as exc:
            raise ServiceError(str(exc)) from None

    def _tag(self, data: bytes, filename: str) -> dict[str, Any]:
        try:
            score, midi = load_score_bytes(data, filename)
        except UnreadableFile as exc:
            raise ServiceError(f"{filename}: {exc}") from None
        result: dict[str, Any] = {"file": filename, **analyse(score, midi=midi).to_json()}
        tagger = load_style_tagger(self._composer.settings.checkpoint_dir)
        if tagger is not None:
            result["style"] = classify(tagger, score_views(score)).to_json()
        return result
