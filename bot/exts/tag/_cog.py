from __future__ import annotations

from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CadenzaBot
from bot.jobs import run_job, tell
from bot.messages import Reply, tag_reply
from bot.worker import Progress
from engine.mir.loading import ACCEPTED, MAX_BYTES

READING = "🔎 Reading your file…"


def upload_problem(filename: str, size: int) -> str | None:
    """Why an upload is refused before it is downloaded (type by suffix, size), or None."""
    suffix = Path(filename).suffix.lower()
    if suffix not in ACCEPTED:
        return f"I can read {', '.join(ACCEPTED)} files, not {suffix or 'files without a suffix'}."
    if size > MAX_BYTES:
        return f"{filename} is {size / 1024:.0f} KiB; the limit is {MAX_BYTES // 1024} KiB."
    return None


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
