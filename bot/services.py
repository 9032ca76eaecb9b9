"""What the cogs ask of the engine and storage, as one interface, and an in-memory implementation of it.

The cogs see only `Services`. `EngineServices` holds what every implementation shares (the engine's
`Composer` on the worker thread, fresh seeds, `/tag`); `InMemoryServices` keeps generations and ratings
in dictionaries, so they last as long as the process (tests use it); `StoredServices`
(`bot/stored_services.py`) keeps them in the database and is what `cadenza bot` runs.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from engine.compose import Composer, Composition
from engine.mir.analysis import analyse
from engine.mir.loading import UnreadableFile, load_score_bytes
from engine.mir.tagger import classify, score_views
from engine.models.registry import ModelUnavailable, load_style_tagger
from engine.music.score import Key
from engine.personalization.taste import Taste
from engine.requests import Request
from storage.models import GenerationKind

from .errors import ServiceError, UnknownGeneration
from .worker import EngineQueue, Progress

HISTORY_LIMIT = 10


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
    """The generation this one is a variation or reroll of."""
    kind: GenerationKind = GenerationKind.COMPOSE
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def of(cls, composition: Composition, origin: Origin, parent: str | None = None,
           kind: GenerationKind = GenerationKind.COMPOSE) -> Generation:
        return cls(composition.id, composition.request, composition.model, composition.seed, composition.score.key,
                   composition.tags, composition.files, origin, parent, kind)


@dataclass(frozen=True)
class Prefs:
    """What personalization learnt about a user."""

    ratings: int
    """How many of their ratings count (those since their last reset)."""
    likes: tuple[str, ...]
    """Plain-words findings such as "slower tempos"; empty while nothing is clear."""


@dataclass(frozen=True)
class HistoryEntry:
    """One of a user's generations, with the user's own rating of it (None if unrated)."""

    id: str
    created_at: datetime
    kind: str
    text: str
    style: str
    bars: int
    rating: int | None


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

    async def prefs(self, user: int) -> Prefs:
        """What the user's ratings (since their last reset) taught personalization."""

    async def reset_prefs(self, user: int) -> None:
        """Forget what was learnt; the ratings stay on the pieces but stop counting for taste."""

    async def history(self, user: int, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
        """The user's latest generations, newest first."""

    async def forget(self, user: int) -> dict[str, int]:
        """Delete everything of the user's; how many of each were deleted (`generations`, `ratings`, …)."""

    async def close(self) -> None:
        """Refuse new work and finish the job running now."""


def check_score(score: int) -> None:
    if not 1 <= score <= 5:
        raise ServiceError(f"a rating is 1–5, not {score}")


class EngineServices:
    """What the implementations share: the `Composer` on the engine queue's thread, fresh seeds, `/tag`."""

    def __init__(self, composer: Composer, queue_limit: int, seeds: random.Random | None = None) -> None:
        self._composer = composer
        self._queue = EngineQueue(queue_limit)
        self._seeds = seeds or random.SystemRandom()
        """Where variations and rerolls get their fresh seeds."""

    async def tag(self, data: bytes, filename: str, progress: Progress) -> dict[str, Any]:
        return await self._queue.run(lambda: self._tag(data, filename), progress)

    async def close(self) -> None:
        await self._queue.close()

    async def _run_composer(self, request: Request, progress: Progress, taste: Taste | None = None) -> Composition:
        """The composition, made on the engine thread once the jobs ahead are done."""
        return await self._queue.run(lambda: self._compose(request, taste), progress)

    def _fresh_seed(self) -> int:
        return self._seeds.randrange(2**31)

    def _compose(self, request: Request, taste: Taste | None) -> Composition:
        try:
            return self._composer.compose(request, taste=taste)
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


class InMemoryServices(EngineServices):
    """`Services` with generations and ratings in dictionaries; personalization learns nothing here."""

    def __init__(self, composer: Composer, queue_limit: int, seeds: random.Random | None = None) -> None:
        super().__init__(composer, queue_limit, seeds)
        self.generations: dict[str, Generation] = {}
        self.ratings: dict[tuple[int, str], int] = {}
        """(user, generation id) → score 1–5."""
        self.reset: set[tuple[int, str]] = set()
        """Ratings given before their user's last `reset_prefs` (rating again makes one count again)."""

    async def compose(self, request: Request, origin: Origin, progress: Progress, parent: str | None = None,
                      kind: GenerationKind = GenerationKind.COMPOSE) -> Generation:
        generation = Generation.of(await self._run_composer(request, progress), origin, parent, kind)
        self.generations[generation.id] = generation
        return generation

    async def variation(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        parent = self._get(generation_id)
        request = dataclasses.replace(parent.request, key=parent.key, seed=self._fresh_seed())
        return await self.compose(request, origin, progress, parent.id, GenerationKind.VARIATION)

    async def reroll(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        parent = self._get(generation_id)
        request = dataclasses.replace(parent.request, seed=self._fresh_seed())
        return await self.compose(request, origin, progress, parent.id, GenerationKind.REROLL)

    async def rate(self, user: int, generation_id: str, score: int) -> None:
        check_score(score)
        self._get(generation_id)
        self.ratings[(user, generation_id)] = score
        self.reset.discard((user, generation_id))

    async def prefs(self, user: int) -> Prefs:
        return Prefs(sum(1 for rated in self.ratings if rated[0] == user and rated not in self.reset), ())

    async def reset_prefs(self, user: int) -> None:
        self.reset.update(rated for rated in self.ratings if rated[0] == user)

    async def history(self, user: int, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
        mine = [g for g in reversed(self.generations.values()) if g.origin.user == user][:limit]
        return [HistoryEntry(g.id, g.created_at, g.kind, g.request.text, g.request.style, g.request.bars,
                             self.ratings.get((user, g.id))) for g in mine]

    async def forget(self, user: int) -> dict[str, int]:
        owned = {g.id for g in self.generations.values() if g.origin.user == user}
        ratings = [rated for rated in self.ratings if rated[0] == user or rated[1] in owned]
        for rated in ratings:
            del self.ratings[rated]
            self.reset.discard(rated)
        for generation_id in owned:
            del self.generations[generation_id]
        return {"generations": len(owned), "ratings": len(ratings)}

    def _get(self, generation_id: str) -> Generation:
        try:
            return self.generations[generation_id]
        except KeyError:
            raise UnknownGeneration(generation_id) from None
