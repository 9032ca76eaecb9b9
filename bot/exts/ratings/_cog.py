from __future__ import annotations

import discord
from discord.ext import commands

from bot.app import CadenzaBot
from bot.buttons import RateButton
from bot.errors import ServiceError
from bot.jobs import tell


class Ratings(commands.Cog):
    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_cadenza_rate(self, interaction: discord.Interaction[CadenzaBot], generation_id: str,
                              score: int) -> None:
        try:
            await self.bot.services.rate(interaction.user.id, generation_id, score)
        except ServiceError as exc:
            await tell(interaction, f"Sorry — {exc}")
            return
        await tell(interaction, f"Thanks! Noted {'👍' if score >= 3 else '👎'} for `{generation_id}`; "
                                "pressing again replaces your vote.")


async def setup(bot: CadenzaBot) -> None:
    bot.add_dynamic_items(RateButton)
    await bot.add_cog(Ratings(bot))
