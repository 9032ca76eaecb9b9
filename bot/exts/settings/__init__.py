"""/settings: who may compose in a channel or server, its cooldown and whether results are public (Manage Channels)."""

from ._cog import setup

__all__ = ["setup"]
