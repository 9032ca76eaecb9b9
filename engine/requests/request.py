"""The normalised request: what to compose once the grammar and the defaults have been applied.

A `Request` is always complete and valid: every field has its final value (the style's tempo, meter and
ensemble when none was asked for), so composers never re-apply defaults. `key` is None only when the
model should choose the key itself; a mood that implies a mode ("sad") already resolved it to a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..data.encoding import METERS
from ..music.score import MODES, PITCH_NAMES, Key, Meter, Role
from ..styles import STYLE_BY_NAME
from .errors import RequestError
from .vocabulary import DRUM_KIT_NAME, GM_PROGRAMS, MOODS

LIMITS: dict[str, tuple[int, int, str]] = {
    "bars": (1, 64, ""),
    "tempo": (40, 240, " bpm"),
    "seed": (0, 2**32 - 1, ""),
}
"""Inclusive range and unit of each numeric field."""
MODELS = ("vae", "gan")
MOOD_NAMES = tuple(dict.fromkeys(MOODS.values()))
_PROGRAM_BY_NAME = {name.lower(): program for program, name in enumerate(GM_PROGRAMS)}


def check_number(field: str, value: int, words: str) -> int:
    """`value` if it is within the field's range, else a RequestError quoting `words`."""
    low, high, unit = LIMITS[field]
    if not low <= value <= high:
        raise RequestError(f"'{words}': {field} must be {low}–{high}{unit}")
    return value


def check_meter(meter: Meter, words: str) -> Meter:
    """`meter` if Cadenza can write it, else a RequestError quoting `words`."""
    if meter not in METERS:
        raise RequestError(f"'{words}': unsupported meter; use " + ", ".join(str(m) for m in METERS))
    return meter


@dataclass(frozen=True)
class Part:
    """One instrument of the ensemble: the role it plays and its General MIDI program (0 for drums)."""

    role: Role
    program: int

    @property
    def name(self) -> str:
        return DRUM_KIT_NAME if self.role is Role.DRUMS else GM_PROGRAMS[self.program]


@dataclass(frozen=True)
class Request:
    """What to compose. `instruments` lists the parts that play, one per role, in `Role` order."""

    text: str
    style: str
    bars: int
    key: Key | None
    tempo: int
    meter: Meter
    mood: str | None
    instruments: tuple[Part, ...]
    model: str | None
    seed: int | None

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def ensemble(self) -> dict[Role, int]:
        """GM program per role, shaped like `Style.ensemble`; a role absent here is not played."""
        return {part.role: part.program for part in self.instruments}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: key as "D minor", meter as "3/4", instruments as {role: GM name}."""
        return {
            "text": self.text,
            "style": self.style,
            "bars": self.bars,
            "key": None if self.key is None else str(self.key),
            "tempo": self.tempo,
            "meter": str(self.meter),
            "mood": self.mood,
            "instruments": {part.role.value: part.name for part in self.instruments},
            "model": self.model,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Request:
        """The request `to_dict` gave; RequestError if `data` is not one."""
        try:
            return cls(
                text=str(data["text"]),
                style=str(data["style"]),
                bars=int(data["bars"]),
                key=None if data["key"] is None else _key_from_name(str(data["key"])),
                tempo=int(data["tempo"]),
                meter=Meter.parse(str(data["meter"])),
                mood=data["mood"],
                instruments=tuple(_part_from_name(Role(role), str(name))
                                  for role, name in data["instruments"].items()),
                model=data["model"],
                seed=None if data["seed"] is None else int(data["seed"]),
            )
        except RequestError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise RequestError(f"not a request: {error!r}") from None


def _key_from_name(name: str) -> Key:
    """A key written as `str(Key)` does: "Eb minor"."""
    tonic, mode = name.split()
    return Key([p.lower() for p in PITCH_NAMES].index(tonic.lower()), mode.lower())


def _part_from_name(role: Role, name: str) -> Part:
    if role is Role.DRUMS:
        if name != DRUM_KIT_NAME:
            raise RequestError(f"the drums part must be {DRUM_KIT_NAME!r}, not {name!r}")
        return Part(role, 0)
    if name.lower() not in _PROGRAM_BY_NAME:
        raise RequestError(f"{name!r} is not a General MIDI program name")
    return Part(role, _PROGRAM_BY_NAME[name.lower()])


def _validate(request: Request) -> None:
    if request.style not in STYLE_BY_NAME:
        raise RequestError(f"unknown style {request.style!r}; styles: {', '.join(STYLE_BY_NAME)}")
    check_number("bars", request.bars, f"bars={request.bars}")
    check_number("tempo", request.tempo, f"tempo={request.tempo}")
    if request.seed is not None:
        check_number("seed", request.seed, f"seed={request.seed}")
    check_meter(request.meter, str(request.meter))
    if request.key is not None and (request.key.mode not in MODES or request.key.tonic not in range(12)):
        raise RequestError(f"invalid key {request.key!r}")
    if request.mood is not None and request.mood not in MOOD_NAMES:
        raise RequestError(f"unknown mood {request.mood!r}; moods: {', '.join(MOOD_NAMES)}")
    if request.model is not None and request.model not in MODELS:
        raise RequestError(f"unknown model {request.model!r}; models: {', '.join(MODELS)}")
    roles = [part.role for part in request.instruments]
    programs_ok = all(part.program in range(128) for part in request.instruments)
    if not roles or len(set(roles)) < len(roles) or not programs_ok:
        raise RequestError("instruments must name at least one part, one per role, with GM programs 0–127")
