from __future__ import annotations

from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import CadenzaBot
from engine.models.registry import CHECKPOINT_FILES, TAGGER_FILE

EXAMPLES = ("sad lofi in D minor, 90 bpm, 8 bars, piano and drums", "waltz in Bb, slow", "爵士 16小节")
DATA_SOURCES = ("POP909, Groove MIDI Dataset, OpenEWLD, Nottingham, JSB Chorales, RS200, Weimar Jazz Database "
                "and the music21 corpus")


class Info(commands.Cog):
    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What Cadenza can do and how to ask")
    async def help(self, interaction: discord.Interaction[CadenzaBot]) -> None:
        embed = discord.Embed(title="Cadenza — a composition assistant", colour=0x607D8B, description=(
            "Describe a piece and I write it: you get audio that plays here, the MIDI, a piano roll, and "
            "buttons to rate it (👍/👎), ask for a variation, continue it, or reroll. `/continue`, `/remix` and "
            "`/interpolate` also work from a piece's id or your own MIDI file.\n\nTry:\n"
            + "\n".join(f"• `/compose text:{example}`" for example in EXAMPLES)))
        for command in sorted(self.bot.tree.get_commands(), key=lambda c: c.name):
            embed.add_field(name=f"/{command.name}", value=getattr(command, "description", "") or "—",
                            inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(description="The models, the data they learned from, and credits")
    async def about(self, interaction: discord.Interaction[CadenzaBot]) -> None:
        settings = self.bot.settings
        models = [name for name, file in CHECKPOINT_FILES.items() if (settings.checkpoint_dir / file).exists()]
        tagger = (settings.checkpoint_dir / TAGGER_FILE).exists()
        embed = discord.Embed(title="About Cadenza", colour=0x607D8B, description=(
            "The music is written by models trained by this project: a style-conditional hierarchical VAE "
            "(MusicVAE-style) and a multi-track GAN (MuseGAN-style); rules only voice the chords for the band "
            "and render the result."))
        embed.add_field(name="Models loaded", inline=False, value=(
            f"{', '.join(models) or 'none'}; style tagger {'shipped' if tagger else 'not trained yet'}"))
        embed.add_field(name="Training data", value=f"{DATA_SOURCES} (licences and credits: docs/data.md)",
                        inline=False)
        embed.add_field(name="Rendering", value=f"FluidSynth with the {Path(settings.soundfont).name} soundfont",
                        inline=False)
        embed.add_field(name="Built with", value="PyTorch, pretty_midi, music21, discord.py", inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: CadenzaBot) -> None:
    await bot.add_cog(Info(bot))
