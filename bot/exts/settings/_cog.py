from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.app_commands import Range
from discord.ext import commands

from bot.app import CadenzaBot
from bot.jobs import tell
from bot.services import RuleChanges
from storage.models import Visibility
from storage.repositories.channels import ChannelRules

Interaction = discord.Interaction[CadenzaBot]
MAX_COOLDOWN_S = 3600


def rules_text(rules: ChannelRules, where: str, default_cooldown_s: float) -> str:
    composers = ", ".join(f"<@&{role}>" for role in rules.compose_role_ids) if rules.compose_role_ids else "everyone"
    cooldown = rules.cooldown_s if rules.cooldown_s is not None else default_cooldown_s
    shown = "only to who asked" if rules.visibility == Visibility.EPHEMERAL else "to the channel"
    return (f"Settings {where}:\n• who may compose: {composers}\n• cooldown: {cooldown:g} s between pieces per "
            f"member\n• results shown {shown}")


class Settings(commands.Cog):
    def __init__(self, bot: CadenzaBot) -> None:
        self.bot = bot

    @app_commands.command(description="Who may compose here, the cooldown, and whether results are public")
    @app_commands.describe(scope="this channel (default) or the whole server",
                           composers="only members with this role may compose", everyone="let everyone compose",
                           cooldown="seconds each member waits between pieces (0–3600)",
                           visibility="show results to the channel, or only to who asked")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    async def settings(self, interaction: Interaction, scope: Literal["channel", "server"] = "channel",
                       composers: discord.Role | None = None, everyone: bool = False,
                       cooldown: Range[int, 0, MAX_COOLDOWN_S] | None = None,
                       visibility: Literal["public", "ephemeral"] | None = None) -> None:
        assert interaction.guild_id is not None  # guild_only
        channel = interaction.channel_id if scope == "channel" else None
        where = "for this channel" if channel else "for this server (channels may override them)"
        default_cooldown = self.bot.settings.discord_cooldown_s
        changes = RuleChanges(composers.id if composers else None, everyone, cooldown,
                              Visibility(visibility) if visibility else None)
        if changes == RuleChanges():
            await tell(interaction, rules_text(await self.bot.services.rules(interaction.guild_id, channel), where,
                                               default_cooldown))
            return
        if not interaction.permissions.manage_channels:
            await tell(interaction, "Sorry — changing these settings needs the Manage Channels permission.")
            return
        if composers is not None and everyone:
            await tell(interaction, "Sorry — choose either a composers role or everyone, not both.")
            return
        rules = await self.bot.services.set_rules(interaction.guild_id, channel, changes)
        await tell(interaction, "Done. " + rules_text(rules, where, default_cooldown))


async def setup(bot: CadenzaBot) -> None:
    await bot.add_cog(Settings(bot))
