"""How soon the bot acknowledges an interaction (SPEC §7: under 100 ms), through the local fake Discord.

Run: `python -m bench.acknowledgement [--n 30] [--json]`. The real discord.py client and the fake of
Discord's HTTP API and gateway (`tests/bot/fake_discord.py`) share one process and event loop; each sample
is the time from the fake sending INTERACTION_CREATE to it receiving the bot's callback (the deferred
"thinking…" for `/compose`, the ephemeral thanks for 👍), the shipped VAE loaded: one request at a time,
and a `/compose` sent while the engine thread composes and renders another user's 16 bars. Discord's
own network hops are not in it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.app import build_bot
from bot.config import BotSettings
from bot.services import RESULT_FILES, InMemoryServices
from engine.compose import Composer
from tests.bot.fake_discord import FakeDiscord
from tests.bot.helpers import field, finished

TOKEN = "bench-token-ABCDEFGHIJKLMNOP.secret"


async def _timed(send: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    sent = await send
    await sent.callback()
    return (time.perf_counter() - started) * 1000, sent


async def measure(n: int) -> dict[str, Any]:
    """Milliseconds to acknowledge `/compose` and 👍, `n` of each, after one warm-up round."""
    with tempfile.TemporaryDirectory() as out:
        async with FakeDiscord(TOKEN) as fake:
            settings = BotSettings(discord_token=SecretStr(TOKEN), discord_api_base=fake.api_base,
                                   discord_gateway_url=fake.gateway_url, discord_guild_id=fake.guild_id,
                                   discord_cooldown_s=0, output_dir=Path(out))
            services = InMemoryServices(Composer(settings, RESULT_FILES), settings.discord_queue_limit,
                                        seeds=random.Random(1))
            bot = build_bot(settings, services)
            task = asyncio.create_task(bot.start(TOKEN))
            try:
                await fake.wait_for(lambda: task.done() or fake.connected())
                user = fake.make_user("Bench")
                other = fake.make_user("Other")
                compose_ms, like_ms, busy_ms = [], [], []
                for i in range(n + 1):
                    ms, sent = await _timed(fake.invoke("compose", user, text="folk", bars=4, seed=i))
                    message = await sent.response(finished)
                    liked, _ = await _timed(fake.press(message, f"cadenza:rate:{field(message, 'ID')}:5", user))
                    first = await fake.invoke("compose", other, text="jazz", bars=16, seed=i)
                    await first.callback()
                    await asyncio.sleep(0.1)  # the engine thread is composing and rendering now
                    busy, second = await _timed(fake.invoke("compose", user, text="folk", bars=4, seed=i))
                    for waiting in (first, second):
                        await waiting.response(finished)
                    if i:  # the first round is a warm-up
                        compose_ms.append(ms)
                        like_ms.append(liked)
                        busy_ms.append(busy)
            finally:
                await bot.close()
                await asyncio.wait_for(task, timeout=10)
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "n": n,
            "compose_ack_ms": _summary(compose_ms), "like_ack_ms": _summary(like_ms),
            "compose_ack_while_composing_ms": _summary(busy_ms)}


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 1), "p95": round(ordered[round(0.95 * (len(ordered) - 1))], 1),
            "max": round(ordered[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.n)), indent=None if args.json else 1))


if __name__ == "__main__":
    main()
