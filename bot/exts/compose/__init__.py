"""`/compose` (free text plus typed options, style autocomplete) and the Variation, Continue and Reroll buttons."""

from ._cog import setup

__all__ = ["setup"]
