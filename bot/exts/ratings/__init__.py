"""The 👍 and 👎 buttons under results."""

from ._cog import setup

__all__ = ["setup"]
