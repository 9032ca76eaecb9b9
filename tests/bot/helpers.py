"""Reading what the fake Discord received: finished result messages, their fields and buttons, ephemeral replies."""

from __future__ import annotations

from typing import Any

from tests.bot.fake_discord import EPHEMERAL, FakeDiscord


def finished(message: dict[str, Any]) -> bool:
    """The response holds a result (its files are attached)."""
    return bool(message["attachments"])


def field(message: dict[str, Any], name: str) -> str:
    """The value of the result embed's field `name`, without code ticks."""
    return next(str(f["value"]) for f in message["embeds"][0]["fields"] if f["name"] == name).strip("`")


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


async def ephemeral_reply(fake: FakeDiscord, command: str, user: dict[str, Any], **options: Any) -> str:
    """What `/command` answers `user` at once, checked to be ephemeral."""
    callback = await (await fake.invoke(command, user, **options)).callback()
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL, callback
    return str(callback["data"]["content"])
