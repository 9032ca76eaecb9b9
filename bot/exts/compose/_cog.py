from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice, Range
from discord.ext import commands

from bot.app import CadenzaBot
from bot.buttons import ActionButton
from bot.jobs import Start, origin_of, piece_job, run_job, tell
from bot.messages import Reply, score_reply
from bot.options import TEXT_LIMIT, style_choices
from bot.worker import Progress
from engine.data.encoding import METERS
from engine.models.registry import CHECKPOINT_FILES
from engine.requests import RequestError, parse_request

CONTINUE_BARS = 8
"""Bars the Continue button adds."""
WRITING_SCORE = "📜 Writing the score…"

Interaction = discord.Interaction[CadenzaBot]


class Compose(commands.Cog):
    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @app_commands.command(description="Compose a piece from a description, e.g. “sad lofi in D minor, 8 bars”")
    @app_commands.describe(
        text="what to compose, in words (options below win over it)", style="a style or an alias",
        bars="length in bars (1–64)", tempo="beats per minute (40–240)", key="e.g. Bb minor, D dorian",
        meter="time signature", mood="e.g. happy, sad, calm, energetic, dark",
        instruments="e.g. piano and drums, strings, no drums", model="which model writes it",
        seed="the same request and seed give the same MIDI")
    @app_commands.choices(meter=[Choice(name=str(m), value=str(m)) for m in METERS],
                          model=[Choice(name=m, value=m) for m in CHECKPOINT_FILES])
    async def compose(self, interaction: Interaction, text: Range[str, 0, TEXT_LIMIT] = "", style: str | None = None,
                      bars: Range[int, 1, 64] | None = None, tempo: Range[int, 40, 240] | None = None,
                      key: str | None = None, meter: str | None = None, mood: str | None = None,
                      instruments: str | None = None, model: str | None = None,
                      seed: Range[int, 0, 2**32 - 1] | None = None) -> None:
        try:
            request = parse_request(text, style=style, bars=bars, tempo=tempo, key=key, meter=meter, mood=mood,
                                    instruments=instruments, model=model, seed=seed)
        except RequestError as exc:
            await tell(interaction, f"Sorry, I couldn't read that request: {exc}")
            return
        await self._start(interaction, lambda progress: self.bot.services.compose(
            request, origin_of(interaction), progress))

    @compose.autocomplete("style")
    async def _style_autocomplete(self, interaction: Interaction, current: str) -> list[Choice[str]]:
        return style_choices(current)

    @commands.Cog.listener()
    async def on_cadenza_variation(self, interaction: Interaction, generation_id: str) -> None:
        await self._start(interaction, lambda progress: self.bot.services.variation(
            generation_id, origin_of(interaction), progress))

    @commands.Cog.listener()
    async def on_cadenza_continue(self, interaction: Interaction, generation_id: str) -> None:
        await self._start(interaction, lambda progress: self.bot.services.continuation(
            generation_id, CONTINUE_BARS, origin_of(interaction), progress))

    @commands.Cog.listener()
    async def on_cadenza_reroll(self, interaction: Interaction, generation_id: str) -> None:
        await self._start(interaction, lambda progress: self.bot.services.reroll(
            generation_id, origin_of(interaction), progress))

    @commands.Cog.listener()
    async def on_cadenza_score(self, interaction: Interaction, generation_id: str) -> None:
        """The piece's MusicXML, to the presser alone (written on the first press)."""

        async def work(progress: Progress) -> Reply:
            return score_reply(generation_id, await self.bot.services.score(generation_id, progress))

        await run_job(interaction, self.bot.inflight, WRITING_SCORE, work, ephemeral=True)

    async def _start(self, interaction: Interaction, start: Start) -> None:
        await piece_job(interaction, self.bot, start)


async def setup(bot: CadenzaBot) -> None:
    bot.add_dynamic_items(ActionButton)
    await bot.add_cog(Compose(bot))
