"""`/help` and `/about`."""

from ._cog import setup

__all__ = ["setup"]
