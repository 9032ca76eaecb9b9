"""Channel and guild settings: who may compose, the cooldown, the default visibility; a channel inherits its guild's."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import GUILD_WIDE, ChannelSetting, Visibility, utcnow
from ._sql import insert, row_count


class Unset(Enum):
    """Marks a setting `update` leaves as it is (None, by contrast, means "inherit")."""

    UNSET = "unset"


UNSET = Unset.UNSET


@dataclass(frozen=True)
class ChannelRules:
    """The settings in force: the channel's own, else its guild's; None where neither sets one."""

    compose_role_ids: list[str] | None = None
    cooldown_s: int | None = None
    visibility: str | None = None


class ChannelSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, guild_id: str, channel_id: str = GUILD_WIDE) -> ChannelSetting | None:
        return await self.session.get(ChannelSetting, (guild_id, channel_id))

    async def update(
        self,
        guild_id: str,
        channel_id: str = GUILD_WIDE,
        *,
        compose_role_ids: list[str] | None | Unset = UNSET,
        cooldown_s: int | None | Unset = UNSET,
        visibility: str | None | Unset = UNSET,
    ) -> ChannelSetting:
        """Change the given settings of a channel (or, by default, the guild) atomically; others stay."""
        if isinstance(cooldown_s, int) and cooldown_s < 0:
            raise ValueError(f"a cooldown is 0 s or more, not {cooldown_s}")
        if isinstance(visibility, str) and visibility not in set(Visibility):
            raise ValueError(f"visibility is one of {', '.join(Visibility)}, not {visibility!r}")
        given = {"compose_role_ids": compose_role_ids, "cooldown_s": cooldown_s, "visibility": visibility}
        changes: dict[str, Any] = {name: value for name, value in given.items() if value is not UNSET}
        changes["updated_at"] = utcnow()
        statement = insert(self.session, ChannelSetting).values(guild_id=guild_id, channel_id=channel_id, **changes)
        statement = statement.on_conflict_do_update(
            index_elements=[ChannelSetting.guild_id, ChannelSetting.channel_id],
            set_={name: getattr(statement.excluded, name) for name in changes},
        )
        result = await self.session.scalars(
            statement.returning(ChannelSetting), execution_options={"populate_existing": True}
        )
        return result.one()

    async def effective(self, guild_id: str, channel_id: str) -> ChannelRules:
        """What applies in a channel: each setting from the channel's row if set there, else the guild's."""
        query = select(ChannelSetting).where(
            ChannelSetting.guild_id == guild_id, ChannelSetting.channel_id.in_([channel_id, GUILD_WIDE])
        )
        rows = {row.channel_id: row for row in await self.session.scalars(query)}
        layers = [row for row in (rows.get(channel_id), rows.get(GUILD_WIDE)) if row is not None]

        def first(name: str) -> Any:
            return next((value for row in layers if (value := getattr(row, name)) is not None), None)

        return ChannelRules(first("compose_role_ids"), first("cooldown_s"), first("visibility"))

    async def clear(self, guild_id: str, channel_id: str = GUILD_WIDE) -> bool:
        """Forget a channel's (or the guild's) settings; True if there were any."""
        statement = delete(ChannelSetting).where(
            ChannelSetting.guild_id == guild_id, ChannelSetting.channel_id == channel_id
        )
        return await row_count(self.session, statement) > 0
