"""/jam: a shared piece in a thread that members grow by proposing and voting for its next section."""

from ._cog import setup

__all__ = ["setup"]
