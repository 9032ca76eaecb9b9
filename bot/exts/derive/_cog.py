from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice, Range
from discord.ext import commands

from bot.app import CadenzaBot
from bot.jobs import origin_of, piece_job, tell
from bot.limits import upload_problem
from bot.options import TEXT_LIMIT, id_problem, style_choices
from bot.services import Generation, Source, Upload
from bot.worker import Progress
from engine.derive import MAX_BARS, STEP_BARS
from engine.requests import RequestError, parse_request

Interaction = discord.Interaction[CadenzaBot]
PIECE = "the id of one of Cadenza's pieces (shown under it)"
FILE = "or a .mid, .musicxml, .mxl or .abc file of your own (at most 256 KiB)"


def source_problem(piece: str | None, file: discord.Attachment | None) -> str | None:
    """Why the piece to work from cannot be used, or None: exactly one of an id and a file."""
    if (piece is None) == (file is None):
        return "give either a piece id or a file (not both)."
    if piece is not None and (problem := id_problem(piece)) is not None:
        return problem
    return upload_problem(file.filename, file.size) if file is not None else None


async def read_source(piece: str | None, file: discord.Attachment | None) -> Source:
    if file is not None:
        return Upload(await file.read(), file.filename)
    assert piece is not None
    return piece.strip().lower()


class Derive(commands.Cog):
    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @app_commands.command(name="continue", description="Carry a piece on: Cadenza writes more bars after it")
    @app_commands.describe(piece=PIECE, file=FILE, bars="how many bars to add (1–32)")
    async def continue_(self, interaction: Interaction, piece: str | None = None,
                        file: discord.Attachment | None = None, bars: Range[int, 1, 32] = 8) -> None:
        if (problem := source_problem(piece, file)) is not None:
            await tell(interaction, f"Sorry — {problem}")
            return

        async def start(progress: Progress) -> Generation:
            return await self.bot.services.continuation(await read_source(piece, file), bars,
                                                         origin_of(interaction), progress)

        await piece_job(interaction, self.bot, start)

    @app_commands.command(description="Rewrite a piece in another style, tempo or band, keeping its ideas")
    @app_commands.describe(text="what to make of it, e.g. “jazz, 140 bpm”", piece=PIECE, file=FILE,
                           style="a style or an alias")
    async def remix(self, interaction: Interaction, text: Range[str, 0, TEXT_LIMIT] = "", piece: str | None = None,
                    file: discord.Attachment | None = None, style: str | None = None) -> None:
        if (problem := source_problem(piece, file)) is not None:
            await tell(interaction, f"Sorry — {problem}")
            return
        if not text.strip() and style is None:
            await tell(interaction, "Sorry — say what to make of it, e.g. `text: jazz, 140 bpm` or `style: rock`.")
            return
        try:
            request = parse_request(text, style=style)
        except RequestError as exc:
            await tell(interaction, f"Sorry, I couldn't read that request: {exc}")
            return

        async def start(progress: Progress) -> Generation:
            return await self.bot.services.remix(await read_source(piece, file), request, origin_of(interaction),
                                                 progress)

        await piece_job(interaction, self.bot, start)

    @remix.autocomplete("style")
    async def _style_autocomplete(self, interaction: Interaction, current: str) -> list[Choice[str]]:
        return style_choices(current)

    @app_commands.command(description="One piece that glides from one of Cadenza's pieces to another")
    @app_commands.describe(first="the id of the piece to start from", last="the id of the piece to end on",
                           steps=f"points on the way, {STEP_BARS} bars each (2–{MAX_BARS // STEP_BARS})")
    async def interpolate(self, interaction: Interaction, first: str, last: str,
                          steps: Range[int, 2, MAX_BARS // STEP_BARS] = 4) -> None:
        for piece in (first, last):
            if (problem := source_problem(piece, None)) is not None:
                await tell(interaction, f"Sorry — {problem}")
                return
        await piece_job(interaction, self.bot, lambda progress: (
            self.bot.services.interpolation(first.strip().lower(), last.strip().lower(), steps,
                                            origin_of(interaction), progress)))


async def setup(bot: CadenzaBot) -> None:
    await bot.add_cog(Derive(bot))
