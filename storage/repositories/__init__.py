"""Async repositories over an `AsyncSession`, one per aggregate; the caller's session commits."""

from ._sql import NotFound
from .channels import UNSET, ChannelRules, ChannelSettingsRepository
from .generations import GenerationRepository, RatedGeneration
from .jams import JamRepository
from .jobs import JobRepository
from .preferences import TASTE, PreferenceRepository
from .ratings import RatingRepository, RatingStats
from .users import ForgetReport, UserRepository

__all__ = [
    "TASTE",
    "UNSET",
    "ChannelRules",
    "ChannelSettingsRepository",
    "ForgetReport",
    "GenerationRepository",
    "JamRepository",
    "JobRepository",
    "NotFound",
    "PreferenceRepository",
    "RatedGeneration",
    "RatingRepository",
    "RatingStats",
    "UserRepository",
]
