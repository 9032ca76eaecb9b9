"""The one score type every part of Cadenza speaks: tracks of notes on a 16th-note grid.

Time is counted in grid steps (a 16th note each). Tempo is in quarter-note beats per minute.
Swing and humanisation are performance settings: they live on the score and are applied only
when it is rendered (MIDI export, audio), so the notes themselves stay on the grid.
This module imports no reader or writer; those live beside it (`midi.py`, `musicxml.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

STEPS_PER_QUARTER = 4
PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_MAJORS = frozenset({5, 10, 3, 8, 1})  # F, Bb, Eb, Ab, Db major (and their modes)
_SHARP_MAJORS = frozenset({7, 2, 9, 4, 11, 6})  # G, D, A, E, B, F# major
MODES = ("major", "minor", "dorian", "mixolydian", "lydian", "phrygian", "locrian")
MODE_DEGREE = {"major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7, "minor": 9, "locrian": 11}
"""Where each mode's tonic sits in its parent major scale (A minor: degree 9 of C major)."""
# Semitone offsets of each mode's scale degrees from its tonic.
MODE_SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}


class Role(StrEnum):
    """What a track does in the arrangement."""

    MELODY = "melody"
    HARMONY = "harmony"
    BASS = "bass"
    DRUMS = "drums"


@dataclass(frozen=True)
class Meter:
    """A time signature; only meters whose bar is a whole number of 16ths are representable."""

    numerator: int = 4
    denominator: int = 4

    @property
    def steps_per_bar(self) -> int:
        return self.numerator * 16 // self.denominator

    @property
    def beat_steps(self) -> int:
        """Steps per felt beat: a quarter in simple meters, a dotted quarter in compound ones."""
        return 6 if self.denominator == 8 and self.numerator % 3 == 0 else 16 // self.denominator

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    @classmethod
    def parse(cls, text: str) -> Meter:
        num, den = text.split("/")
        return cls(int(num), int(den))


@dataclass(frozen=True)
class Key:
    """A tonic pitch class (0 = C) and a mode."""

    tonic: int
    mode: str = "major"

    @property
    def scale(self) -> tuple[int, ...]:
        """Pitch classes of the scale, tonic first."""
        return tuple((self.tonic + s) % 12 for s in MODE_SCALES[self.mode])

    @property
    def is_minor(self) -> bool:
        return self.mode in ("minor", "dorian", "phrygian", "locrian")

    @property
    def parent_major(self) -> int:
        """The tonic of the major scale that holds this key's scale (A minor, D dorian: C)."""
        return (self.tonic - MODE_DEGREE[self.mode]) % 12

    def shift_to(self, key: Key) -> int:
        """The semitones (at most a tritone either way) that move this key's scale onto `key`'s."""
        return (key.parent_major - self.parent_major + 6) % 12 - 6

    def spell(self, pitch_class: int) -> str:
        """A pitch class named as this key writes it: flats in flat keys, sharps in sharp keys."""
        parent = self.parent_major
        names = _FLAT_NAMES if parent in _FLAT_MAJORS else _SHARP_NAMES if parent in _SHARP_MAJORS else PITCH_NAMES
        return names[pitch_class % 12]

    def __str__(self) -> str:
        return f"{self.spell(self.tonic)} {self.mode}"


@dataclass(frozen=True)
class Note:
    """A note: MIDI pitch, onset and length in 16th steps, MIDI velocity."""

    pitch: int
    start: int
    duration: int
    velocity: int = 90

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass
class Track:
    """One instrument's part; drums use General MIDI percussion pitches on channel 10."""

    role: Role
    program: int
    notes: list[Note] = field(default_factory=list)
    name: str = ""

    @property
    def is_drum(self) -> bool:
        return self.role is Role.DRUMS


@dataclass(frozen=True)
class ChordLabel:
    """A chord symbol (e.g. "Dm7") that starts at `start` (in steps)."""

    start: int
    root: int
    quality: str

    @property
    def symbol(self) -> str:
        return self.spelled(None)

    def spelled(self, key: Key | None) -> str:
        """The symbol with its root named as `key` writes it (no key: C#, Eb, F#, Ab, Bb)."""
        suffix = {"maj": "", "min": "m", "7": "7", "maj7": "maj7", "m7": "m7", "dim": "dim",
                  "m7b5": "m7b5", "sus4": "sus4", "aug": "aug"}.get(self.quality, self.quality)
        return (key.spell(self.root) if key is not None else PITCH_NAMES[self.root]) + suffix


def chord_spans(chords: list[ChordLabel], total_steps: int) -> list[tuple[ChordLabel, int]]:
    """Each chord symbol in time order with the step where it stops sounding: the next one's start, or the
    end of the piece."""
    ordered = sorted(chords, key=lambda c: c.start)
    return list(zip(ordered, [c.start for c in ordered[1:]] + [total_steps], strict=False))


@dataclass
class Score:
    """A piece: tempo, meter, key, an exact number of bars, and tracks on the 16th grid."""

    tempo: float = 120.0
    meter: Meter = field(default_factory=Meter)
    bars: int = 8
    key: Key | None = None
    tracks: list[Track] = field(default_factory=list)
    chords: list[ChordLabel] = field(default_factory=list)
    swing: float = 0.0
    """0 = straight; 1 = full triplet swing of off-beat 8ths."""
    humanize: float = 0.0
    """0 = exact; 1 = roughly ±15 ms timing and ±12 velocity jitter."""
    seed: int = 0
    """Seeds the humanisation so the same score always renders the same performance."""

    @property
    def total_steps(self) -> int:
        return self.bars * self.meter.steps_per_bar

    @property
    def seconds_per_step(self) -> float:
        return 60.0 / self.tempo / STEPS_PER_QUARTER

    @property
    def duration_seconds(self) -> float:
        return self.total_steps * self.seconds_per_step

    def track(self, role: Role) -> Track | None:
        """The first track with this role, if any."""
        return next((t for t in self.tracks if t.role is role), None)

    def transposed(self, semitones: int) -> Score:
        """A copy moved by `semitones`; drums and chord-free tracks keep their pitches."""
        tracks = [
            Track(t.role, t.program, t.notes if t.is_drum else
                  [replace(n, pitch=n.pitch + semitones) for n in t.notes], t.name)
            for t in self.tracks
        ]
        chords = [replace(c, root=(c.root + semitones) % 12) for c in self.chords]
        key = Key((self.key.tonic + semitones) % 12, self.key.mode) if self.key else None
        return replace(self, tracks=tracks, chords=chords, key=key)

    def bar_slice(self, first: int, count: int) -> Score:
        """Bars `first`..`first+count-1` as a new score starting at step 0."""
        spb = self.meter.steps_per_bar
        lo, hi = first * spb, (first + count) * spb
        tracks = [
            Track(t.role, t.program,
                  [replace(n, start=n.start - lo, duration=min(n.end, hi) - n.start)
                   for n in t.notes if lo <= n.start < hi], t.name)
            for t in self.tracks
        ]
        chords = [replace(c, start=c.start - lo) for c in self.chords if lo <= c.start < hi]
        return replace(self, bars=count, tracks=tracks, chords=chords)

    def then(self, other: Score) -> Score:
        """This score followed by `other` (same meter): tracks joined by role, the rest of this one's."""
        if other.meter != self.meter:
            raise ValueError(f"cannot join {self.meter} and {other.meter}")
        offset = self.total_steps
        tracks = [Track(t.role, t.program, list(t.notes), t.name) for t in self.tracks]
        for t in other.tracks:
            moved = [replace(n, start=n.start + offset) for n in t.notes]
            same = next((mine for mine in tracks if mine.role is t.role), None)
            if same is None:
                tracks.append(Track(t.role, t.program, moved, t.name))
            else:
                same.notes.extend(moved)
        chords = self.chords + [replace(c, start=c.start + offset) for c in other.chords]
        return replace(self, bars=self.bars + other.bars, tracks=tracks, chords=chords)

