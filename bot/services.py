"""What the cogs ask of the engine and storage, as one interface, and an in-memory implementation of it.

The cogs see only `Services`. `EngineServices` holds what every implementation shares (the engine's
`Composer` on the worker thread, fresh seeds, `/tag`); `InMemoryServices` keeps generations and ratings
in dictionaries, so they last as long as the process (tests use it); `StoredServices`
(`bot/stored_services.py`) keeps them in the database and is what `cadenza bot` runs.
"""

from __future__ import annotations

import dataclasses
import random
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from engine.compose import Composer, Composition
from engine.derive import Deriver, Parent
from engine.mir.analysis import analyse
from engine.mir.loading import UnreadableFile, load_score_bytes
from engine.mir.similarity import embedding, nearest
from engine.mir.tagger import classify, score_views
from engine.models.registry import ModelUnavailable, load_style_tagger
from engine.music.midi import read_midi
from engine.music.score import Key
from engine.personalization.taste import Taste
from engine.requests import Request, RequestError
from storage.models import GenerationKind, Visibility
from storage.repositories.channels import ChannelRules

from .errors import ServiceError, UnknownGeneration
from .worker import EngineQueue, Progress

HISTORY_LIMIT = 10
TOP_LIMIT = 5
JAM_CANDIDATES = 2
"""Next sections offered in each jam round."""
JAM_SECTION_BARS = 8
RESULT_FILES = ("audio", "midi", "image")
"""Written with each piece and uploaded with its result: the OGG plays inline, the MIDI downloads, the PNG
shows in the embed. The score (MusicXML) is written only when someone presses Score."""
SCORE_FILE = ("musicxml",)
NO_JAM = "there is no jam here; start one with `/jam start`."


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
    parents: tuple[str, ...] = ()
    """The generations this one was made from (a variation's, reroll's, continuation's, …)."""
    kind: GenerationKind = GenerationKind.COMPOSE
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def of(cls, composition: Composition, origin: Origin, kind: GenerationKind = GenerationKind.COMPOSE,
           parents: tuple[str, ...] = ()) -> Generation:
        return cls(composition.id, composition.request, composition.model, composition.seed, composition.score.key,
                   composition.tags, composition.files, origin, parents or composition.parents, kind)


@dataclass(frozen=True)
class RuleChanges:
    """Settings to change (fields left None stay as they are); `everyone` lifts the composer roles."""

    composer_role: int | None = None
    everyone: bool = False
    cooldown_s: int | None = None
    visibility: Visibility | None = None


@dataclass(frozen=True)
class Proposals:
    """A jam round's candidate next sections."""

    round: int
    candidates: tuple[Generation, ...]


@dataclass
class JamState:
    """A jam: its piece so far and its voting round."""

    head: str | None
    round: int


class JamStore(Protocol):
    """Where jams and their votes are kept."""

    async def start(self, thread: int, guild: int | None, user: int, head: str) -> None: ...
    async def get(self, thread: int) -> JamState | None: ...
    async def vote(self, thread: int, round_: int, user: int, generation_id: str) -> None: ...
    async def tally(self, thread: int, round_: int) -> dict[str, int]: ...
    async def advance(self, thread: int, head: str) -> None: ...


@dataclass(frozen=True)
class Upload:
    """A file a user attached, to work from instead of a generation."""

    data: bytes
    filename: str


Source = str | Upload
"""A generation id, or an uploaded file."""


@dataclass(frozen=True)
class Ranked:
    """A generation in a list (`/top`, `/similar`): its id, request, style and a score (mean rating or similarity)."""

    id: str
    text: str
    style: str
    score: float
    votes: int = 0


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


@dataclass(frozen=True)
class Interrupted:
    """An interaction a previous process accepted and never answered (it died meanwhile)."""

    application_id: int
    token: str
    """The interaction's token: its response can be edited with it for 15 minutes after it arrived."""
    accepted_at: datetime
    what: str


class Services(Protocol):
    """The engine and storage as the cogs use them. Failures the user should read are `ServiceError`s
    (or the engine's `RequestError`); `progress` is told the queue position as the job waits and 0 when
    it starts."""

    async def compose(self, request: Request, origin: Origin, progress: Progress) -> Generation: ...

    async def variation(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        """New material in the parent's style, key, tempo, meter and band."""

    async def reroll(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        """The parent's request asked again, with a fresh seed."""

    async def continuation(self, source: Source, bars: int, origin: Origin, progress: Progress) -> Generation:
        """The piece followed by `bars` bars the model writes on from its end."""

    async def remix(self, source: Source, request: Request, origin: Origin, progress: Progress) -> Generation:
        """The piece's latents written out as `request` asks (style, tempo, band)."""

    async def interpolation(self, first: str, last: str, steps: int, origin: Origin,
                            progress: Progress) -> Generation:
        """One piece gliding from the first generation to the last."""

    async def score(self, generation_id: str, progress: Progress) -> Path:
        """The generation's score as a MusicXML file (written the first time it is asked for)."""

    async def top(self, guild: int | None, channel: int | None, limit: int = TOP_LIMIT) -> list[Ranked]:
        """Best mean rating first, among the generations made in that channel (or server)."""

    async def similar(self, generation_id: str, limit: int = TOP_LIMIT) -> list[Ranked]:
        """The stored generations most like this one."""

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

    async def jam_start(self, thread: int, request: Request, origin: Origin, progress: Progress) -> Generation:
        """Compose a jam's opening and open the jam in `thread`."""

    async def jam_propose(self, thread: int, origin: Origin, progress: Progress) -> Proposals:
        """Candidate next sections: the piece so far, continued in different ways."""

    async def jam_vote(self, thread: int, round_: int, user: int, generation_id: str) -> dict[str, int]:
        """A member's vote for a proposal of the current round (voting again replaces); the tally."""

    async def jam_next(self, thread: int) -> tuple[Generation, int]:
        """The proposal with most votes becomes the piece so far (and its votes); the next round begins."""

    async def jam_piece(self, thread: int, progress: Progress) -> Generation:
        """The jam's piece so far, with its files."""

    async def rules(self, guild: int | None, channel: int | None) -> ChannelRules:
        """The settings in force in a channel: its own, else its server's (none outside a server)."""

    async def set_rules(self, guild: int, channel: int | None, changes: RuleChanges) -> ChannelRules:
        """Change a channel's (or, with `channel` None, the server's) settings; the others stay."""

    async def begin_job(self, what: str, origin: Origin, application_id: int, token: str) -> int | None:
        """Journal an accepted interaction until `end_job` (so a successor can answer it if this process dies);
        the journal entry's id, None where nothing outlives the process."""

    async def end_job(self, job: int | None, error: str | None = None) -> None:
        """The journalled interaction was answered (with `error` if it failed)."""

    async def interrupted(self) -> list[Interrupted]:
        """Interactions a dead predecessor accepted and never answered, each journalled as given up now."""

    async def close(self) -> None:
        """Refuse new work and finish the job running now."""


async def _progress_ignored(ahead: int) -> None:
    """For work whose progress nobody watches."""


def check_score(score: int) -> None:
    if not 1 <= score <= 5:
        raise ServiceError(f"a rating is 1–5, not {score}")


class EngineServices(ABC):
    """What the implementations share: the `Composer` on the engine queue's thread, fresh seeds, `/tag`."""

    def __init__(self, composer: Composer, queue_limit: int, seeds: random.Random | None = None) -> None:
        self._composer = composer
        self._deriver = Deriver(composer)
        self._queue = EngineQueue(queue_limit)
        self._seeds = seeds or random.SystemRandom()
        """Where variations and rerolls get their fresh seeds."""

    @abstractmethod
    async def compose(self, request: Request, origin: Origin, progress: Progress) -> Generation: ...

    @abstractmethod
    async def _parent(self, generation_id: str) -> Parent:
        """A generation to derive from (UnknownGeneration if there is none)."""

    @abstractmethod
    async def _keep(self, composition: Composition, origin: Origin, kind: GenerationKind) -> Generation:
        """Store a finished piece and say how the bot shows it."""

    async def variation(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        parent, seed = await self._parent(generation_id), self._fresh_seed()
        return await self._derive(lambda: self._deriver.variation(parent, seed), origin, GenerationKind.VARIATION,
                                  progress)

    async def continuation(self, source: Source, bars: int, origin: Origin, progress: Progress) -> Generation:
        parent, seed = await self._loader(source), self._fresh_seed()
        return await self._derive(lambda: self._deriver.continuation(parent(), bars, seed), origin,
                                  GenerationKind.CONTINUATION, progress)

    async def remix(self, source: Source, request: Request, origin: Origin, progress: Progress) -> Generation:
        parent, seed = await self._loader(source), self._fresh_seed()
        return await self._derive(lambda: self._deriver.remix(parent(), request, seed), origin, GenerationKind.REMIX,
                                  progress)

    async def interpolation(self, first: str, last: str, steps: int, origin: Origin,
                            progress: Progress) -> Generation:
        ends, seed = (await self._parent(first), await self._parent(last)), self._fresh_seed()
        return await self._derive(lambda: self._deriver.interpolation(*ends, steps, seed), origin,
                                  GenerationKind.INTERPOLATION, progress)

    async def score(self, generation_id: str, progress: Progress) -> Path:
        parent = await self._parent(generation_id)
        path = self._composer.files_of(generation_id, kinds=SCORE_FILE)["musicxml"]
        if not path.exists():
            await self._queue.run(lambda: self._composer.write_files(parent.score, generation_id, kinds=SCORE_FILE),
                                  progress)
        return path

    jams: JamStore

    async def jam_start(self, thread: int, request: Request, origin: Origin, progress: Progress) -> Generation:
        opening = await self.compose(request, dataclasses.replace(origin, channel=thread), progress)
        await self.jams.start(thread, origin.guild, origin.user, opening.id)
        return opening

    async def jam_propose(self, thread: int, origin: Origin, progress: Progress) -> Proposals:
        head, round_ = await self._jam(thread)
        where = dataclasses.replace(origin, channel=thread)
        candidates = [await self.continuation(head, JAM_SECTION_BARS, where, progress) for _ in range(JAM_CANDIDATES)]
        return Proposals(round_, tuple(candidates))

    async def jam_vote(self, thread: int, round_: int, user: int, generation_id: str) -> dict[str, int]:
        _, current = await self._jam(thread)
        if round_ != current:
            raise ServiceError(f"that vote was for round {round_}; this jam is on round {current}.")
        await self.jams.vote(thread, round_, user, generation_id)
        return await self.jams.tally(thread, round_)

    async def jam_next(self, thread: int) -> tuple[Generation, int]:
        _, round_ = await self._jam(thread)
        tally = await self.jams.tally(thread, round_)
        if not tally:
            raise ServiceError("no votes yet this round: vote for a proposal (or ask for some with `/jam propose`).")
        winner, votes = max(tally.items(), key=lambda kv: kv[1])
        await self.jams.advance(thread, winner)
        return await self._with_files(winner, _progress_ignored), votes

    async def jam_piece(self, thread: int, progress: Progress) -> Generation:
        head, _ = await self._jam(thread)
        return await self._with_files(head, progress)

    async def _jam(self, thread: int) -> tuple[str, int]:
        """The jam's piece so far and its round; ServiceError where there is no jam (or no piece) any more."""
        jam = await self.jams.get(thread)
        if jam is None:
            raise ServiceError(NO_JAM)
        if jam.head is None:
            raise ServiceError("this jam's piece was deleted (its author used /forget-me); start a new jam.")
        return jam.head, jam.round

    @abstractmethod
    async def _with_files(self, generation_id: str, progress: Progress) -> Generation:
        """A stored generation as the bot shows it, with its files (written anew where needed)."""

    async def _loader(self, source: Source) -> Callable[[], Parent]:
        """What reads the parent on the engine thread: a stored generation now, an upload when its job runs."""
        if isinstance(source, Upload):
            return lambda: self._upload_parent(source)
        parent = await self._parent(source)
        return lambda: parent

    def _upload_parent(self, upload: Upload) -> Parent:
        try:
            return self._deriver.upload(upload.data, upload.filename)
        except UnreadableFile as exc:
            raise ServiceError(str(exc)) from None

    async def _derive(self, make: Callable[[], Composition], origin: Origin, kind: GenerationKind,
                      progress: Progress) -> Generation:
        def run() -> Composition:
            try:
                return make()
            except (ModelUnavailable, RequestError) as exc:  # e.g. too long to continue, meters that differ
                raise ServiceError(str(exc)) from None

        return await self._keep(await self._queue.run(run, progress), origin, kind)

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


class MemoryJams:
    """`JamStore` in dictionaries."""

    def __init__(self) -> None:
        self.jams: dict[int, JamState] = {}
        self.votes: dict[tuple[int, int], dict[int, str]] = {}
        """(thread, round) → user → the proposal they voted for."""

    async def start(self, thread: int, guild: int | None, user: int, head: str) -> None:
        self.jams[thread] = JamState(head, 1)

    async def get(self, thread: int) -> JamState | None:
        return self.jams.get(thread)

    async def vote(self, thread: int, round_: int, user: int, generation_id: str) -> None:
        self.votes.setdefault((thread, round_), {})[user] = generation_id

    async def tally(self, thread: int, round_: int) -> dict[str, int]:
        return dict(Counter(self.votes.get((thread, round_), {}).values()))

    async def advance(self, thread: int, head: str) -> None:
        jam = self.jams[thread]
        jam.head, jam.round = head, jam.round + 1


class InMemoryServices(EngineServices):
    """`Services` with generations and ratings in dictionaries; personalization learns nothing here.

    Variation, continuation and the like work from the kept compositions' latents and MIDI."""

    def __init__(self, composer: Composer, queue_limit: int, seeds: random.Random | None = None) -> None:
        super().__init__(composer, queue_limit, seeds)
        self.generations: dict[str, Generation] = {}
        self.compositions: dict[str, Composition] = {}
        self.jams = MemoryJams()
        self.settings: dict[tuple[int, int | None], dict[str, Any]] = {}
        """(guild, channel or None for the whole server) → settings set there."""
        self.ratings: dict[tuple[int, str], int] = {}
        """(user, generation id) → score 1–5."""
        self.reset: set[tuple[int, str]] = set()
        """Ratings given before their user's last `reset_prefs` (rating again makes one count again)."""

    async def compose(self, request: Request, origin: Origin, progress: Progress) -> Generation:
        return await self._keep(await self._run_composer(request, progress), origin, GenerationKind.COMPOSE)

    async def reroll(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        parent = self._get(generation_id)
        request = dataclasses.replace(parent.request, seed=self._fresh_seed())
        composition = await self._run_composer(request, progress)
        return await self._keep(dataclasses.replace(composition, parents=(parent.id,)), origin, GenerationKind.REROLL)

    async def _parent(self, generation_id: str) -> Parent:
        g, composition = self._get(generation_id), self.compositions.get(generation_id)
        latent = composition.latent.numpy() if composition is not None else None
        return Parent.of_generation(g.id, g.request, g.seed, g.model, read_midi(g.files["midi"]), latent)

    async def _keep(self, composition: Composition, origin: Origin, kind: GenerationKind) -> Generation:
        generation = Generation.of(composition, origin, kind)
        self.generations[generation.id] = generation
        self.compositions[generation.id] = composition
        return generation

    async def _with_files(self, generation_id: str, progress: Progress) -> Generation:
        return self._get(generation_id)

    async def begin_job(self, what: str, origin: Origin, application_id: int, token: str) -> int | None:
        return None  # nothing here outlives the process

    async def end_job(self, job: int | None, error: str | None = None) -> None:
        return None

    async def interrupted(self) -> list[Interrupted]:
        return []

    async def top(self, guild: int | None, channel: int | None, limit: int = TOP_LIMIT) -> list[Ranked]:
        def here(g: Generation) -> bool:
            return (guild is None or g.origin.guild == guild) and (channel is None or g.origin.channel == channel)

        votes: dict[str, list[int]] = {}
        for (_, gen_id), score in self.ratings.items():
            if here(self.generations[gen_id]):
                votes.setdefault(gen_id, []).append(score)
        ranked = sorted(votes.items(), key=lambda kv: (-sum(kv[1]) / len(kv[1]), -len(kv[1])))[:limit]
        return [Ranked(i, self.generations[i].request.text, self.generations[i].request.style,
                       sum(v) / len(v), len(v)) for i, v in ranked]

    async def similar(self, generation_id: str, limit: int = TOP_LIMIT) -> list[Ranked]:
        self._get(generation_id)
        others = [c for i, c in self.compositions.items() if i != generation_id]
        target = self.compositions[generation_id]
        found = nearest(embedding(target.features, target.latent.numpy()),
                        [embedding(c.features, c.latent.numpy()) for c in others], limit)
        return [Ranked(others[i].id, others[i].request.text, others[i].request.style, sim) for i, sim in found]

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
            del self.compositions[generation_id]
        return {"generations": len(owned), "ratings": len(ratings)}

    async def rules(self, guild: int | None, channel: int | None) -> ChannelRules:
        if guild is None:
            return ChannelRules()
        layers = [self.settings.get((guild, channel), {}), self.settings.get((guild, None), {})]

        def first(name: str) -> Any:
            return next((layer[name] for layer in layers if layer.get(name) is not None), None)

        return ChannelRules(first("compose_role_ids"), first("cooldown_s"), first("visibility"))

    async def set_rules(self, guild: int, channel: int | None, changes: RuleChanges) -> ChannelRules:
        layer = self.settings.setdefault((guild, channel), {})
        if changes.everyone:
            layer["compose_role_ids"] = None
        elif changes.composer_role is not None:
            layer["compose_role_ids"] = [str(changes.composer_role)]
        if changes.cooldown_s is not None:
            layer["cooldown_s"] = changes.cooldown_s
        if changes.visibility is not None:
            layer["visibility"] = changes.visibility.value
        return await self.rules(guild, channel)

    def _get(self, generation_id: str) -> Generation:
        try:
            return self.generations[generation_id]
        except KeyError:
            raise UnknownGeneration(generation_id) from None
