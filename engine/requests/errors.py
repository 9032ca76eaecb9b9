"""The one error a request can raise."""

from __future__ import annotations


class RequestError(ValueError):
    """Unknown, contradictory or out-of-range input; the message is one line meant for the user."""
