from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CadenzaBot
from bot.jobs import run_job, tell
from bot.limits import upload_problem
from bot.messages import Reply, tag_reply
from bot.worker import Progress

READING = "🔎 Reading your file…"


class Tag(commands.Cog):
    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @app_commands.command(description="Read key, tempo, meter, chords and style from a MIDI, MusicXML or ABC file")
    @app_commands.describe(file="a .mid, .midi, .mxl, .musicxml, .xml or .abc file (at most 256 KiB)")
    async def tag(self, interaction: discord.Interaction[CadenzaBot], file: discord.Attachment) -> None:
        problem = upload_problem(file.filename, file.size)
        if problem is not None:
            await tell(interaction, f"Sorry — {problem}")
            return
        wait = self.bot.cooldowns.take(interaction.user.id)
        if wait is not None:
            await tell(interaction, f"Easy there — you can ask again in {wait} s.")
            return

        async def work(progress: Progress) -> Reply:
            data = await file.read()
            return tag_reply(await self.bot.services.tag(data, file.filename, progress),
                             interaction.user.display_name)

        await run_job(interaction, self.bot.inflight, READING, work)


async def setup(bot: CadenzaBot) -> None:
    await bot.add_cog(Tag(bot))
