"""/top and /similar: the best-rated pieces of a channel or server, and pieces like a given one."""

from ._cog import setup

__all__ = ["setup"]
