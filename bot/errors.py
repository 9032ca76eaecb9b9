"""Errors the services raise for the user to read: one line, specific, shown ephemerally."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the services refuse; the message is meant for the user."""


class Busy(ServiceError):
    """The engine queue is full or closing; `retry_after_s` estimates when to try again."""

    def __init__(self, retry_after_s: int, reason: str = "busy") -> None:
        super().__init__(f"Cadenza is {reason}; try again in {retry_after_s} s.")
        self.retry_after_s = retry_after_s


class UnknownGeneration(ServiceError):
    def __init__(self, generation_id: str) -> None:
        super().__init__(f"I don't have a piece with id `{generation_id}` (it may have been deleted).")
        self.generation_id = generation_id
