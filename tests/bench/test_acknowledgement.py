"""bench/acknowledgement.py runs end to end (its figures are the benchmark's, not asserted here)."""

from __future__ import annotations

import discord
import pytest
from discord.gateway import DiscordWebSocket

from bench.acknowledgement import measure

pytestmark = pytest.mark.asyncio


async def test_one_round_measures_every_kind_of_acknowledgement(monkeypatch: pytest.MonkeyPatch) -> None:
    # build_bot points discord.py's class attributes at the fake; put them back afterwards
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    report = await measure(1)
    assert report["n"] == 1
    for kind in ("compose_ack_ms", "like_ack_ms", "compose_ack_while_composing_ms"):
        assert 0 < report[kind]["p50"] <= report[kind]["max"]
