"""`Services` over `app.service.Cadenza`: generations, ratings and taste live in the database.

So buttons on old messages keep working after a restart, `/compose` is steered by the user's taste, and
`/prefs`, `/history` and `/forget-me` see everything the user did. The engine still runs on the bot's
worker thread (`EngineServices`); the database calls are async, on the event loop.
"""

from __future__ import annotations

import random
from datetime import datetime

from app.service import Cadenza
from app.service import UnknownGeneration as NoSuchGeneration
from engine.requests import Request
from engine.settings import Settings
from storage.models import Generation as StoredGeneration
from storage.models import GenerationKind

from .errors import UnknownGeneration
from .services import HISTORY_LIMIT, EngineServices, Generation, HistoryEntry, Origin, Prefs, check_score
from .worker import Progress


def _place(snowflake: int | None) -> str | None:
    return None if snowflake is None else str(snowflake)


class StoredServices(EngineServices):
    """`Services` backed by `Cadenza`; it owns the application and closes it on `close`."""

    def __init__(self, app: Cadenza, queue_limit: int, seeds: random.Random | None = None) -> None:
        super().__init__(app.composer, queue_limit, seeds)
        self.app = app

    @classmethod
    async def open(cls, settings: Settings, queue_limit: int) -> StoredServices:
        """Connect to `settings.database_url` and migrate it to the newest schema."""
        return cls(await Cadenza.open(settings), queue_limit)

    async def compose(self, request: Request, origin: Origin, progress: Progress, parent: str | None = None,
                      kind: GenerationKind = GenerationKind.COMPOSE) -> Generation:
        user = str(origin.user)
        taste = await self.app.listener_taste(user, _place(origin.channel))
        composition = await self._run_composer(request, progress, taste)
        await self.app.record(composition, user_id=user, guild_id=_place(origin.guild),
                              channel_id=_place(origin.channel), parents=[parent] if parent else [], kind=kind)
        return Generation.of(composition, origin, parent, kind)

    async def variation(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        """The parent's request in its key: the requested one, else the key read from its music."""
        parent = await self._get(generation_id)
        request = self._again(parent, key=parent.request["key"] or parent.tags.get("key"))
        return await self.compose(request, origin, progress, parent.id, GenerationKind.VARIATION)

    async def reroll(self, generation_id: str, origin: Origin, progress: Progress) -> Generation:
        parent = await self._get(generation_id)
        request = self._again(parent, key=parent.request["key"])
        return await self.compose(request, origin, progress, parent.id, GenerationKind.REROLL)

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

    async def close(self) -> None:
        await super().close()
        await self.app.close()

    async def _get(self, generation_id: str) -> StoredGeneration:
        try:
            return await self.app.generation(generation_id)
        except NoSuchGeneration:
            raise UnknownGeneration(generation_id) from None

    def _again(self, parent: StoredGeneration, key: str | None) -> Request:
        """The parent's request with `key` and a fresh seed."""
        return Request.from_dict({**parent.request, "key": key, "seed": self._fresh_seed()})
