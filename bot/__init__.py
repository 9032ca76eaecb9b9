"""Cadenza's Discord adapter: slash commands, result messages and buttons over the engine (SPEC §4).

`bot.app` builds and runs the client; features live in `bot.exts.<feature>` as extensions; the cogs
reach the engine only through `bot.services.Services`.
"""
