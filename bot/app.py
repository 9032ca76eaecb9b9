"""Building and running the Discord client: configuration, extensions, command sync, graceful shutdown.

`CADENZA_DISCORD_API_BASE` and `CADENZA_DISCORD_GATEWAY_URL` point discord.py at any Discord-compatible
server. discord.py keeps both as class attributes (`Route.BASE`, `DiscordWebSocket.DEFAULT_GATEWAY`),
so `point_at_discord` sets them for the whole process.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from .config import BotSettings
from .jobs import INTERNAL_ERROR, tell
from .limits import Cooldowns, InFlight
from .services import Services

log = logging.getLogger(__name__)
INTERRUPTED = "⚠️ Cadenza restarted before this was done, and it was lost. Sorry — please ask again."
INTERACTION_TOKEN_LIFETIME = timedelta(minutes=15)
EXTENSIONS = ("bot.exts.compose", "bot.exts.derive", "bot.exts.discover", "bot.exts.tag", "bot.exts.ratings",
              "bot.exts.people", "bot.exts.jam", "bot.exts.settings", "bot.exts.info")


def intents() -> discord.Intents:
    """Only guild events: interactions arrive regardless of intents; no privileged intent is needed."""
    return discord.Intents(guilds=True)


def point_at_discord(settings: BotSettings) -> None:
    """Send REST calls to `settings.api_base` and connect the gateway to `settings.gateway_url`."""
    discord.http.Route.BASE = settings.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class CadenzaTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """Failed checks and unusable option values are the user's to fix; anything else is logged."""
        if isinstance(error, app_commands.CheckFailure):
            text = f"Sorry — {error}"
        elif isinstance(error, app_commands.TransformerError):
            text = f"Sorry — I couldn't use {error.value!r} for that option."
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("/%s failed", command, exc_info=error)
            text = INTERNAL_ERROR
        await tell(interaction, text)


class CadenzaBot(commands.Bot):
    """One gateway connection; the cogs reach `services`, `cooldowns` and `inflight` through it."""

    def __init__(self, settings: BotSettings, services: Services, **options: Any) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=intents(), tree_cls=CadenzaTree,
                         help_command=None, **options)
        self.settings = settings
        self.services = services
        self.cooldowns = Cooldowns(settings.discord_cooldown_s)
        self.inflight = InFlight(settings.discord_guild_concurrency)

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.settings.discord_guild_id is not None:
            guild = discord.Object(self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to server %s", len(synced), guild.id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (they can take a while to appear)", len(synced))
        await self.report_interrupted()

    async def report_interrupted(self) -> None:
        """Answer the interactions a dead predecessor accepted and never answered (while their tokens last)."""
        for job in await self.services.interrupted():
            if datetime.now(UTC) - job.accepted_at.astimezone(UTC) > INTERACTION_TOKEN_LIFETIME:
                log.info("an interrupted job (%s) is too old to answer", job.what)
                continue
            route = discord.http.Route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
                                       webhook_id=job.application_id, webhook_token=job.token)
            try:
                await self.http.request(route, json={"content": INTERRUPTED, "embeds": [], "components": [],
                                                     "attachments": []})
            except discord.HTTPException as exc:
                log.info("could not answer an interrupted job (%s): %s", job.what, exc)

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))

    async def shutdown(self) -> None:
        """Stop taking jobs, let accepted ones be delivered (up to the grace period), then disconnect."""
        if not await self.inflight.drain(self.settings.discord_shutdown_grace_s):
            log.warning("jobs still running after %.0f s; disconnecting anyway",
                        self.settings.discord_shutdown_grace_s)
        await self.close()


class ShardedCadenzaBot(CadenzaBot, commands.AutoShardedBot):
    """`AutoShardedBot` with the same cogs; used when `CADENZA_DISCORD_SHARDS` is set."""

    async def setup_hook(self) -> None:
        if self.shard_count is None and self.settings.discord_gateway_url:
            # discord.py takes the gateway URL from /gateway/bot when it picks the shard count itself;
            # picking it here makes it connect to the configured gateway instead.
            self.shard_count = (await self.http.get_bot_gateway())[0]
        await super().setup_hook()


def build_bot(settings: BotSettings, services: Services) -> CadenzaBot:
    point_at_discord(settings)
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # Cadenza never joins voice
    if settings.discord_shards is None:
        return CadenzaBot(settings, services)
    return ShardedCadenzaBot(settings, services, shard_count=settings.discord_shards or None)


async def serve(settings: BotSettings, token: str) -> None:
    """Run the bot over the database (migrated first) until SIGTERM or SIGINT, then shut down gracefully."""
    import torch

    from .stored_services import StoredServices

    torch.set_num_threads(max(1, settings.torch_threads))
    services = await StoredServices.open(settings, settings.discord_queue_limit)
    bot = build_bot(settings, services)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    def stop() -> None:
        if not stopping:
            log.info("stopping: finishing accepted jobs first")
            stopping.append(loop.create_task(bot.shutdown()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        async with bot:
            await bot.start(token)
        await asyncio.gather(*stopping)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await services.close()
