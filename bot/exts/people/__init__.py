"""/prefs, /history and /forget-me: what Cadenza keeps and learnt about a user."""

from ._cog import setup

__all__ = ["setup"]
