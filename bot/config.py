"""The bot's settings: the shared `Settings` (SPEC §3) plus knobs only the bot reads.

Each is an environment variable like the others: `CADENZA_DISCORD_SHARDS`, `CADENZA_DISCORD_COOLDOWN_S`,
`CADENZA_DISCORD_QUEUE_LIMIT`, `CADENZA_DISCORD_SHUTDOWN_GRACE_S`.
"""

from __future__ import annotations

from pydantic import Field

from engine.settings import Settings

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"


class BotSettings(Settings):
    """`Settings` plus the bot's own options."""

    discord_shards: int | None = Field(default=None, ge=0)
    """Unset: one connection (`commands.Bot`). 0: `AutoShardedBot` with Discord's recommended count. N: N shards."""
    discord_cooldown_s: float = Field(default=10.0, ge=0)
    """Seconds a user waits between two compositions (compose, variation, reroll, tag)."""
    discord_queue_limit: int = Field(default=16, ge=1)
    """Engine jobs waiting or running at once; beyond it a request is answered "busy, try again in N s"."""
    discord_guild_concurrency: int = Field(default=4, ge=1)
    """Jobs one server may have in flight at once; beyond it its members are asked to try again shortly."""
    discord_shutdown_grace_s: float = Field(default=30.0, ge=0)
    """On SIGTERM, how long jobs already accepted may take to be delivered before the bot disconnects."""

    @property
    def api_base(self) -> str:
        """The REST base including the version, e.g. `https://discord.com/api/v10`."""
        return (self.discord_api_base or DISCORD_API_BASE).rstrip("/")

    @property
    def gateway_url(self) -> str:
        return self.discord_gateway_url or DISCORD_GATEWAY_URL
