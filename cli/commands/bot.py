"""`cadenza bot`: run the Discord bot until SIGTERM or Ctrl-C (SPEC §3, §4).

Settings: `CADENZA_DISCORD_TOKEN` (required), `CADENZA_DISCORD_API_BASE` and `CADENZA_DISCORD_GATEWAY_URL`
(another Discord-compatible server), `CADENZA_DISCORD_GUILD_ID` (sync the commands to one server at once)
and the bot's own knobs in `bot/config.py`. The token is never printed or logged.
"""

from __future__ import annotations

import argparse

from ._common import BadInput, Result, json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bot", help="run the Discord bot")
    json_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Result:
    import asyncio

    import discord
    from pydantic import ValidationError

    from bot.app import serve
    from bot.config import BotSettings

    try:
        settings = BotSettings()
    except ValidationError as exc:
        raise BadInput("; ".join(f"CADENZA_{str(e['loc'][0]).upper()}: {e['msg']}" for e in exc.errors())) from None
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise BadInput("no Discord token: set CADENZA_DISCORD_TOKEN (see README, section Discord)")
    try:
        asyncio.run(serve(settings, token))
    except discord.LoginFailure:
        raise BadInput("Discord refused the token in CADENZA_DISCORD_TOKEN") from None
    return {"stopped": True}, lambda r: "cadenza bot: stopped"
