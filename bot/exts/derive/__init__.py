"""/continue, /remix and /interpolate: pieces made from generations or uploaded files."""

from ._cog import setup

__all__ = ["setup"]
