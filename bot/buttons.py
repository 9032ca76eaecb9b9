"""The buttons under a result: 👍, 👎, Variation, Continue, Reroll, Score.

Their custom_id carries all they need (`cadenza:rate:<id>:<score>`, `cadenza:var:<id>`,
`cadenza:cont:<id>`, `cadenza:reroll:<id>`, `cadenza:score:<id>`), and they are `DynamicItem`s matched by
template, so buttons on old messages keep working after a restart. Pressing one dispatches an event
(`on_cadenza_rate(interaction, id, score)`, `on_cadenza_variation(interaction, id)`,
`on_cadenza_continue(interaction, id)`, `on_cadenza_reroll(interaction, id)`,
`on_cadenza_score(interaction, id)`) that the feature's cog handles; the extension that listens registers
the button class with `bot.add_dynamic_items`.
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


_ACTIONS: dict[str, tuple[str, str, discord.ButtonStyle, str]] = {
    "var": ("Variation", "🔀", discord.ButtonStyle.primary, "cadenza_variation"),
    "cont": ("Continue", "⏩", discord.ButtonStyle.primary, "cadenza_continue"),
    "reroll": ("Reroll", "🎲", discord.ButtonStyle.secondary, "cadenza_reroll"),
    "score": ("Score", "📜", discord.ButtonStyle.secondary, "cadenza_score"),
}
"""custom_id action → label, emoji, style, and the event a press dispatches."""


class ActionButton(discord.ui.DynamicItem[Button], template=rf"cadenza:(?P<action>var|cont|reroll|score):{GENERATION}"):
    """Variation, Continue, Reroll or Score (its MusicXML) of a generation."""

    def __init__(self, action: str, generation_id: str) -> None:
        label, emoji, style, _ = _ACTIONS[action]
        super().__init__(discord.ui.Button(style=style, label=label, emoji=emoji,
                                           custom_id=f"cadenza:{action}:{generation_id}"))
        self.action, self.generation_id = action, generation_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ActionButton:
        return cls(match["action"], match["gen"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch(_ACTIONS[self.action][3], interaction, self.generation_id)


def result_view(generation_id: str) -> discord.ui.View:
    """The buttons under a result; no timeout, since they outlive the process that sent them."""
    view = discord.ui.View(timeout=None)
    for item in (RateButton(generation_id, LIKE), RateButton(generation_id, DISLIKE),
                 ActionButton("var", generation_id), ActionButton("cont", generation_id),
                 ActionButton("reroll", generation_id), ActionButton("score", generation_id)):
        view.add_item(item)
    return view
