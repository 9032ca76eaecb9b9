"""`Services` over `app.service.Cadenza`: generations, ratings and taste live in the database.

So buttons on old messages keep working after a restart, `/compose` is steered by the user's taste, and
`/prefs`, `/history` and `/forget-me` see everything the user did. The engine still runs on the bot's
worker thread (`EngineServices`); the database calls are async, on the event loop.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime

from app.service import Cadenza, parent_of
from app.service import UnknownGeneration as NoSuchGeneration
from engine.compose import Composition
from engine.derive import Parent
from engine.requests import Request
from engine.settings import Settings
from storage.models import GUILD_WIDE, GenerationKind
from storage.models import Generation as StoredGeneration
from storage.repositories import JamRepository, JobRepository
from storage.repositories.channels import UNSET, ChannelRules, Unset

from .errors import UnknownGeneration
from .services import (
    HISTORY_LIMIT,
    RESULT_FILES,
    TOP_LIMIT,
    EngineServices,
    Generation,
    HistoryEntry,
    Interrupted,
    JamState,
    Origin,
    Prefs,
    Ranked,
    RuleChanges,
    check_score,
)
from .worker import Progress

JOURNAL_WORKER = "discord-bot"
"""Who the interaction journal's entries belong to: one bot process per database (sharded or not), so that
whatever this name left running when a process starts was left by a dead predecessor."""


def _place(snowflake: int | None) -> str | None:
    return None if snowflake is None else str(snowflake)


def _snowflake(place: str | None) -> int | None:
    return int(place) if place is not None and place.isdigit() else None


class StoredJams:
    """`JamStore` in the database."""

    def __init__(self, app: Cadenza) -> None:
        self.app = app

    async def start(self, thread: int, guild: int | None, user: int, head: str) -> None:
        async with self.app.db.session() as session:
            await JamRepository(session).start(str(thread), _place(guild), str(user), head)

    async def get(self, thread: int) -> JamState | None:
        async with self.app.db.session() as session:
            jam = await JamRepository(session).get(str(thread))
        return JamState(jam.head_id, jam.round) if jam is not None else None

    async def vote(self, thread: int, round_: int, user: int, generation_id: str) -> None:
        async with self.app.db.session() as session:
            await JamRepository(session).vote(str(thread), round_, str(user), generation_id)

    async def tally(self, thread: int, round_: int) -> dict[str, int]:
        async with self.app.db.session() as session:
            return dict(await JamRepository(session).tally(str(thread), round_))

    async def advance(self, thread: int, head: str) -> None:
        async with self.app.db.session() as session:
            await JamRepository(session).advance(str(thread), head)


class StoredServices(EngineServices):
    """`Services` backed by `Cadenza`; it owns the application and closes it on `close`."""

    def __init__(self, app: Cadenza, queue_limit: int, seeds: random.Random | None = None) -> None:
        super().__init__(app.composer, queue_limit, seeds)
        self.app = app
        self.jams = StoredJams(app)

    @classmethod
    async def open(cls, settings: Settings, queue_limit: int) -> StoredServices:
        """Connect to `settings.database_url` and migrate it to the newest schema."""
        return cls(await Cadenza.open(settings, file_kinds=RESULT_FILES), queue_limit)

    async def compose(self, request: Request, origin: Origin, progress: Progress) -> Generation:
        taste = await self.app.listener_taste(str(origin.user), _place(origin.channel))
        return await self._keep(await self._run_composer(request, progress, taste), origin, GenerationKind.COMPOSE)

    async def reroll(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        parent = await self._get(generation_id)
        request = Request.from_dict({**parent.request, "seed": self._fresh_seed()})
        taste = await self.app.listener_taste(str(origin.user), _place(origin.channel))
        composition = await self._run_composer(request, progress, taste)
        return await self._keep(dataclasses.replace(composition, parents=(parent.id,)), origin, GenerationKind.REROLL)

    async def _parent(self, generation_id: str) -> Parent:
        try:
            return await self.app.parent(generation_id)
        except NoSuchGeneration:
            raise UnknownGeneration(generation_id) from None

    async def _keep(self, composition: Composition, origin: Origin, kind: GenerationKind) -> Generation:
        await self.app.record(composition, user_id=str(origin.user), guild_id=_place(origin.guild),
                              channel_id=_place(origin.channel), parents=composition.parents, kind=kind)
        return Generation.of(composition, origin, kind)

    async def _with_files(self, generation_id: str, progress: Progress) -> Generation:
        """The stored piece with its files: those this process wrote, else written anew from its MIDI on the
        engine thread (after a restart, say)."""
        stored = await self._get(generation_id)
        parent = parent_of(stored)
        files = self._composer.files_of(stored.id)
        if not all(path.exists() for path in files.values()):
            files = await self._queue.run(lambda: self._composer.write_files(parent.score, stored.id), progress)
        origin = Origin(int(stored.user_id) if stored.user_id and stored.user_id.isdigit() else 0,
                        _snowflake(stored.guild_id), _snowflake(stored.channel_id))
        return Generation(stored.id, Request.from_dict(stored.request), stored.model, stored.seed,
                          parent.request.key, stored.tags, files, origin, tuple(stored.parent_ids),
                          GenerationKind(stored.kind))

    async def top(self, guild: int | None, channel: int | None, limit: int = TOP_LIMIT) -> list[Ranked]:
        best = await self.app.top(_place(guild), _place(channel), limit)
        return [Ranked(g["id"], g["request"] or "", g["style"], g["mean"], g["votes"]) for g in best["generations"]]

    async def similar(self, generation_id: str, limit: int = TOP_LIMIT) -> list[Ranked]:
        try:
            found = await self.app.similar(generation_id, limit)
        except NoSuchGeneration:
            raise UnknownGeneration(generation_id) from None
        return [Ranked(g["id"], g["request"] or "", g["style"], g["similarity"]) for g in found["similar"]]

    async def rate(self, user: int, generation_id: str, score: int) -> None:
        check_score(score)
        try:
            await self.app.rate(str(user), generation_id, score)
        except NoSuchGeneration:
            raise UnknownGeneration(generation_id) from None

    async def prefs(self, user: int) -> Prefs:
        learnt = await self.app.prefs(str(user))
        return Prefs(learnt["ratings"], tuple(learnt["likes"]))

    async def reset_prefs(self, user: int) -> None:
        await self.app.reset_prefs(str(user))

    async def history(self, user: int, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
        listed = await self.app.history(str(user), limit)
        return [HistoryEntry(g["id"], datetime.fromisoformat(g["created_at"]), g["kind"], g["request"] or "",
                             g["style"], g["bars"], g["rating"]) for g in listed["generations"]]

    async def forget(self, user: int) -> dict[str, int]:
        deleted: dict[str, int] = (await self.app.forget(str(user)))["deleted"]
        return deleted

    async def rules(self, guild: int | None, channel: int | None) -> ChannelRules:
        if guild is None:
            return ChannelRules()
        return await self.app.channel_rules(str(guild), str(channel) if channel is not None else GUILD_WIDE)

    async def set_rules(self, guild: int, channel: int | None, changes: RuleChanges) -> ChannelRules:
        roles: list[str] | None | Unset = None if changes.everyone else (
            [str(changes.composer_role)] if changes.composer_role is not None else UNSET)
        return await self.app.set_channel_rules(
            str(guild), str(channel) if channel is not None else GUILD_WIDE, compose_role_ids=roles,
            cooldown_s=changes.cooldown_s if changes.cooldown_s is not None else UNSET,
            visibility=changes.visibility.value if changes.visibility is not None else UNSET)

    async def begin_job(self, what: str, origin: Origin, application_id: int, token: str) -> int | None:
        payload = {"what": what, "application_id": str(application_id), "token": token}
        async with self.app.db.session() as session:
            job = await JobRepository(session).start("interaction", payload, JOURNAL_WORKER,
                                                     user_id=str(origin.user), guild_id=_place(origin.guild))
            return job.id

    async def end_job(self, job: int | None, error: str | None = None) -> None:
        if job is None:
            return
        async with self.app.db.session() as session:
            jobs = JobRepository(session)
            await (jobs.fail(job, error) if error is not None else jobs.forget(job))

    async def interrupted(self) -> list[Interrupted]:
        async with self.app.db.session() as session:
            abandoned = await JobRepository(session).recover_stale(worker=JOURNAL_WORKER, max_attempts=1)
        return [Interrupted(int(j.payload["application_id"]), j.payload["token"], j.created_at, j.payload["what"])
                for j in abandoned if j.kind == "interaction"]

    async def close(self) -> None:
        await super().close()
        await self.app.close()

    async def _get(self, generation_id: str) -> StoredGeneration:
        try:
            return await self.app.generation(generation_id)
        except NoSuchGeneration:
            raise UnknownGeneration(generation_id) from None
