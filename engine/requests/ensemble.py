"""Who plays what: the instruments a request names, assigned to the four roles of an arrangement.

- Nothing named: the style's ensemble.
- Instruments named plainly ("piano and drums", "钢琴", "only strings"): exactly those play. Each takes
  its preferred free role (melody instruments the melody, basses the bass, chord instruments the
  harmony, the kit the drums); a chord instrument also covers the melody and bass no one else plays, so
  "piano and drums" is piano on melody, harmony and bass plus drums; a section word ("strings") fills
  every free role with its members. Roles left over are silent.
- Instruments named after "with"/"plus"/"featuring" ("jazz with a trumpet"): they take their roles over
  the style's band, which keeps the rest; a section plays the harmony.
- "no X"/"without X" removes X (by program, by GM family for family words, and by role for "bass" and
  "drums") from the result, whichever way it was built.
Family words ("guitar", "bass", "sax") become the style's own member of that family when it has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..music.score import Role
from ..styles import Style
from .errors import RequestError
from .lexicon import INSTRUMENTS
from .request import Part
from .vocabulary import LOW_PROGRAMS, MELODY_THEN_BASS, POLYPHONIC

PITCHED = (Role.MELODY, Role.HARMONY, Role.BASS)
Slot = tuple[Role, int]


@dataclass(frozen=True)
class Mention:
    """An instrument phrase of the request: its lexicon key, the words as typed, and play/add/remove."""

    key: str
    words: str
    action: str = "play"


@dataclass(frozen=True)
class Voice:
    """A mention resolved for a style: the (role, program) slots it can take, preferred first."""

    words: str
    slots: tuple[Slot, ...]
    section: bool = False
    removes_role: Role | None = None
    removes_programs: frozenset[int] = frozenset()

    @property
    def polyphonic(self) -> bool:
        return not self.section and self.slots[0][1] in POLYPHONIC and self.slots[0][0] is not Role.DRUMS

    def removes(self, role: Role, program: int) -> bool:
        """Whether "no <this>" takes out the part (role, program)."""
        return role is self.removes_role or (role is not Role.DRUMS and program in self.removes_programs)


def resolve_ensemble(mentions: Sequence[Mention], style: Style, *, only: bool = False) -> tuple[Part, ...]:
    """The parts that play, in `Role` order, for these mentions in this style."""
    mentions = list(dict.fromkeys(mentions))
    _check_not_both(mentions)
    voices = {mention: voice(mention, style) for mention in mentions}
    playing = [voices[m] for m in mentions if m.action != "remove"]
    if not playing:
        parts = dict(style.ensemble)
    elif only or any(m.action == "play" for m in mentions):
        parts = _assign(playing, exclusive=True)
    else:
        parts = {**style.ensemble, **_assign(playing, exclusive=False)}
    for mention in (m for m in mentions if m.action == "remove"):
        parts = {r: p for r, p in parts.items() if not voices[mention].removes(r, p)}
    if not parts:
        raise RequestError(f"'{mentions[-1].words}' leaves no instrument to play")
    return tuple(Part(role, parts[role]) for role in Role if role in parts)


def voice(mention: Mention, style: Style) -> Voice:
    """What `mention` can play in `style`."""
    instrument = INSTRUMENTS[mention.key]
    if instrument.drums:
        return Voice(mention.words, ((Role.DRUMS, 0),), removes_role=Role.DRUMS)
    if instrument.section:
        return Voice(mention.words, instrument.section, section=True,
                     removes_programs=frozenset(_family_members(p for _, p in instrument.section)))
    if not instrument.family:
        program = instrument.program
        removes = _family_members([program]) if instrument.whole_family else {program}
        return Voice(mention.words, _slots(program), removes_programs=frozenset(removes))
    members = _family_members([instrument.program])
    program = next((p for r, p in style.ensemble.items() if r is not Role.DRUMS and p in members),
                   instrument.program)
    return Voice(mention.words, _slots(program), removes_programs=frozenset(members),
                 removes_role=Role.BASS if program in LOW_PROGRAMS else None)


def _family_members(programs: Iterable[int]) -> set[int]:
    """All programs of the GM families (blocks of 8) of `programs`."""
    return {member for p in programs for member in range(p // 8 * 8, p // 8 * 8 + 8)}


def _slots(program: int) -> tuple[Slot, ...]:
    if program in POLYPHONIC:
        roles: tuple[Role, ...] = (Role.HARMONY, Role.MELODY, Role.BASS)
    elif program in LOW_PROGRAMS:
        roles = (Role.BASS, Role.MELODY)
    elif program in MELODY_THEN_BASS:
        roles = (Role.MELODY, Role.BASS)
    else:
        roles = (Role.MELODY, Role.HARMONY)
    return tuple((role, program) for role in roles)


def _assign(voices: Sequence[Voice], *, exclusive: bool) -> dict[Role, int]:
    """Roles for the named voices: least flexible first, sections (when exclusive) last."""
    taken: dict[Role, int] = {}
    for v in sorted(voices, key=lambda v: (v.section and exclusive, len(v.slots))):
        free = [(role, program) for role, program in v.slots if role not in taken]
        if not free:
            raise RequestError(f"too many instruments: no part left for '{v.words}' (a piece has one "
                               "melody, one harmony, one bass and drums)")
        taken.update(free if v.section and exclusive else free[:1])
    chords = next((v for v in voices if v.polyphonic), None)
    if exclusive and chords is not None:
        for role in PITCHED:
            taken.setdefault(role, chords.slots[0][1])
    return taken


def _check_not_both(mentions: Sequence[Mention]) -> None:
    removed = {m.key for m in mentions if m.action == "remove"}
    clash = next((m for m in mentions if m.action != "remove" and m.key in removed), None)
    if clash is not None:
        raise RequestError(f"'{clash.words}' is both asked for and excluded: an instrument is in or out")
