from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CadenzaBot
from bot.jobs import tell
from bot.services import HistoryEntry, Prefs

TEXT_SHOWN = 60
Interaction = discord.Interaction[CadenzaBot]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def prefs_text(prefs: Prefs) -> str:
    if prefs.likes:
        return f"From {plural(prefs.ratings, 'rating')}, you like {', '.join(prefs.likes)}."
    return (f"Nothing clear yet ({plural(prefs.ratings, 'rating')} so far): rate pieces with 👍/👎 and "
            "I'll learn what you like.")


def history_line(entry: HistoryEntry) -> str:
    text = entry.text if len(entry.text) <= TEXT_SHOWN else entry.text[:TEXT_SHOWN - 1] + "…"
    what = f"{entry.style.capitalize()}, {plural(entry.bars, 'bar')}" + (f" · “{text}”" if text.strip() else "")
    kind = "" if entry.kind == "compose" else f" ({entry.kind})"
    rating = "not rated" if entry.rating is None else f"{'👍' if entry.rating >= 3 else '👎'} {entry.rating}/5"
    return f"`{entry.id}` <t:{int(entry.created_at.timestamp())}:R>{kind} · {what} · {rating}"


def history_text(entries: list[HistoryEntry]) -> str:
    if not entries:
        return "You have no pieces yet: try `/compose`."
    return "Your latest pieces, newest first:\n" + "\n".join(history_line(entry) for entry in entries)


def forgotten_text(deleted: dict[str, int]) -> str:
    return (f"Done — I deleted {plural(deleted.get('generations', 0), 'piece')} and "
            f"{plural(deleted.get('ratings', 0), 'rating')}, and forgot what I learnt about your taste.")


class People(commands.Cog):
    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @app_commands.command(description="What Cadenza has learnt about your taste from your ratings")
    @app_commands.describe(reset="start learning afresh (your ratings stay on the pieces)")
    async def prefs(self, interaction: Interaction, reset: bool = False) -> None:
        if reset:
            await self.bot.services.reset_prefs(interaction.user.id)
            await tell(interaction, "Done — I forgot what I had learnt; your next ratings start afresh.")
        else:
            await tell(interaction, prefs_text(await self.bot.services.prefs(interaction.user.id)))

    @app_commands.command(description="Your latest pieces and how you rated them")
    async def history(self, interaction: Interaction) -> None:
        await tell(interaction, history_text(await self.bot.services.history(interaction.user.id)))

    @app_commands.command(name="forget-me", description="Delete your pieces, ratings and learnt taste for good")
    @app_commands.describe(confirm="True to delete everything of yours; it cannot be undone")
    async def forget_me(self, interaction: Interaction, confirm: bool = False) -> None:
        if not confirm:
            await tell(interaction, "This deletes your pieces, your ratings and what I learnt about your taste, "
                                    "for good. To go ahead, run `/forget-me confirm:True`.")
            return
        await tell(interaction, forgotten_text(await self.bot.services.forget(interaction.user.id)))


async def setup(bot: CadenzaBot) -> None:
    await bot.add_cog(People(bot))
