"""The buttons under a result: 👍, 👎, Variation, Reroll.

Their custom_id carries all they need (`cadenza:rate:<id>:<score>`, `cadenza:var:<id>`,
`cadenza:reroll:<id>`), and they are `DynamicItem`s matched by template, so buttons on old messages keep
working after a restart. Pressing one dispatches an event (`on_cadenza_rate(interaction, id, score)`,
`on_cadenza_variation(interaction, id)`, `on_cadenza_reroll(interaction, id)`) that the feature's cog
handles; the extension that listens registers the button class with `bot.add_dynamic_items`.
"""

from __future__ import annotations

import re
from typing import Any

import discord

GENERATION = r"(?P<gen>[0-9a-f]{12})"
LIKE, DISLIKE = 5, 1
"""The scores 👍 and 👎 record on the 1–5 scale."""

Button = discord.ui.Button[discord.ui.View]


class RateButton(discord.ui.DynamicItem[Button], template=rf"cadenza:rate:{GENERATION}:(?P<score>[1-5])"):
    def __init__(self, generation_id: str, score: int) -> None:
        liked = score >= 3
        super().__init__(discord.ui.Button(
            style=discord.ButtonStyle.success if liked else discord.ButtonStyle.secondary,
            emoji="👍" if liked else "👎", custom_id=f"cadenza:rate:{generation_id}:{score}"))
        self.generation_id = generation_id
        self.score = score

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> RateButton:
        return cls(match["gen"], int(match["score"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch("cadenza_rate", interaction, self.generation_id, self.score)


class VariationButton(discord.ui.DynamicItem[Button], template=rf"cadenza:var:{GENERATION}"):
    def __init__(self, generation_id: str) -> None:
        super().__init__(discord.ui.Button(style=discord.ButtonStyle.primary, label="Variation", emoji="🔀",
                                           custom_id=f"cadenza:var:{generation_id}"))
        self.generation_id = generation_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> VariationButton:
        return cls(match["gen"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch("cadenza_variation", interaction, self.generation_id)


class RerollButton(discord.ui.DynamicItem[Button], template=rf"cadenza:reroll:{GENERATION}"):
    def __init__(self, generation_id: str) -> None:
        super().__init__(discord.ui.Button(style=discord.ButtonStyle.secondary, label="Reroll", emoji="🎲",
                                           custom_id=f"cadenza:reroll:{generation_id}"))
        self.generation_id = generation_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> RerollButton:
        return cls(match["gen"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch("cadenza_reroll", interaction, self.generation_id)


def result_view(generation_id: str) -> discord.ui.View:
    """The buttons under a result; no timeout, since they outlive the process that sent them."""
    view = discord.ui.View(timeout=None)
    for item in (RateButton(generation_id, LIKE), RateButton(generation_id, DISLIKE),
                 VariationButton(generation_id), RerollButton(generation_id)):
        view.add_item(item)
    return view
