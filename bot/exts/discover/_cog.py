from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CadenzaBot
from bot.errors import ServiceError
from bot.jobs import tell
from bot.options import id_problem
from bot.services import Ranked

TEXT_SHOWN = 60
Interaction = discord.Interaction[CadenzaBot]


def _what(entry: Ranked) -> str:
    text = entry.text if len(entry.text) <= TEXT_SHOWN else entry.text[:TEXT_SHOWN - 1] + "…"
    return entry.style.capitalize() + (f" · “{text}”" if text.strip() else "")


def top_text(entries: list[Ranked], where: str) -> str:
    if not entries:
        return f"No rated pieces {where} yet: rate one with 👍 or 👎."
    lines = [f"{i}. `{e.id}` · {_what(e)} · ★ {e.score:.1f}/5 from {e.votes} vote{'s' if e.votes != 1 else ''}"
             for i, e in enumerate(entries, 1)]
    return f"Best-rated pieces {where}:\n" + "\n".join(lines)


def similar_text(generation_id: str, entries: list[Ranked]) -> str:
    if not entries:
        return f"No other pieces to compare `{generation_id}` with yet."
    lines = [f"{i}. `{e.id}` · {_what(e)} · similarity {e.score:.2f}" for i, e in enumerate(entries, 1)]
    return f"Pieces most like `{generation_id}`:\n" + "\n".join(lines)


class Discover(commands.Cog):
    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @app_commands.command(description="The best-rated pieces of this channel or this server")
    @app_commands.describe(scope="this channel (default) or the whole server")
    async def top(self, interaction: Interaction, scope: Literal["channel", "server"] = "channel") -> None:
        if interaction.guild_id is None:
            entries = await self.bot.services.top(None, interaction.channel_id)
            await tell(interaction, top_text(entries, "in this conversation"))
            return
        channel = interaction.channel_id if scope == "channel" else None
        entries = await self.bot.services.top(interaction.guild_id, channel)
        await tell(interaction, top_text(entries, "in this channel" if channel else "on this server"))

    @app_commands.command(description="Pieces most like one of Cadenza's pieces (by their music and latent code)")
    @app_commands.describe(piece="the id of a piece (shown under it)")
    async def similar(self, interaction: Interaction, piece: str) -> None:
        if (problem := id_problem(piece)) is not None:
            await tell(interaction, f"Sorry — {problem}")
            return
        piece = piece.strip().lower()
        try:
            await tell(interaction, similar_text(piece, await self.bot.services.similar(piece)))
        except ServiceError as exc:
            await tell(interaction, f"Sorry — {exc}")


async def setup(bot: CadenzaBot) -> None:
    await bot.add_cog(Discover(bot))
