"""What several commands' options share: the style autocomplete, the text limit, piece ids."""

from __future__ import annotations

import re

from discord.app_commands import Choice

from engine.styles import STYLES

MAX_CHOICES = 25  # Discord's limit for autocomplete and choices
TEXT_LIMIT = 300
GENERATION_ID = re.compile(r"[0-9a-f]{12}")
NOT_AN_ID = "`{}` is not a piece id; ids are 12 characters like `3f2a9c0b1d4e`."


def style_choices(current: str) -> list[Choice[str]]:
    """Styles whose name or an alias contains what was typed so far (all of them for nothing typed)."""
    typed = current.strip().lower()
    choices = []
    for style in STYLES:
        alias = next((a for a in style.aliases if typed and typed in a.lower()), None)
        if typed in style.name or alias is not None:
            shown = style.name if alias is None or typed in style.name else f"{style.name} ({alias})"
            choices.append(Choice(name=f"{shown} — {style.description}"[:100], value=style.name))
    return choices[:MAX_CHOICES]


def id_problem(text: str) -> str | None:
    """Why `text` is not a generation id (None if it is one)."""
    return None if GENERATION_ID.fullmatch(text.strip().lower()) else NOT_AN_ID.format(text)
