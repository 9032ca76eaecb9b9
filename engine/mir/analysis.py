"""What a listener reads off a piece: key, tempo, meter, chords per half bar, form, and the features.

Key: Albrecht–Shanahan profiles (`key`): as accurate as music21's `analyze('key')`, ~100× faster.
Tempo: the one the MIDI file holds longest, else the score's. Meter: the file's first time signature.
Form: the piece cut into 4-bar phrases (8-bar from 32 bars on); a phrase gets the letter of the first
earlier phrase sharing at least `PHRASE_SIMILARITY` of its notes (pitch and position), else a new one.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pretty_midi

from ..music.score import ChordLabel, Meter, Score
from .features import extract_features, swing_ratio_from_midi
from .harmony import half_bar_chords
from .key import KeyEstimate, estimate_key

PHRASE_SIMILARITY = 0.7
LONG_FORM_BARS = 32
_LETTERS = string.ascii_uppercase + string.ascii_lowercase
NO_CHORD = "N"


@dataclass(frozen=True)
class Sections:
    """The form as one letter per phrase ("AABA"; "*" past 52 distinct phrases), and the share of
    bars with notes that repeat an earlier bar exactly."""

    form: str
    phrase_bars: int
    repeated_bar_share: float


@dataclass(frozen=True)
class Analysis:
    """A piece's analysis; `chords` has one entry per half bar (None: no chord)."""

    key: KeyEstimate | None
    tempo: float
    meter: Meter
    bars: int
    chords: list[ChordLabel | None]
    features: dict[str, float]
    sections: Sections

    def chords_per_bar(self) -> list[str]:
        """One string per bar: its chord symbol, or both halves' ("C G7") when they differ; N = none."""
        names = [c.symbol if c is not None else NO_CHORD for c in self.chords]
        halves = zip(names[::2], names[1::2], strict=True)
        return [first if first == second else f"{first} {second}" for first, second in halves]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": str(self.key.key) if self.key else None,
            "key_strength": round(self.key.strength, 3) if self.key else None,
            "tempo": round(self.tempo),
            "meter": str(self.meter),
            "bars": self.bars,
            "chords": self.chords_per_bar(),
            "features": {name: round(value, 4) for name, value in self.features.items()},
            "sections": {"form": self.sections.form, "phrase_bars": self.sections.phrase_bars,
                         "repeated_bar_share": round(self.sections.repeated_bar_share, 3)},
        }


def predominant_tempo(pm: pretty_midi.PrettyMIDI) -> float | None:
    """The tempo (bpm) in force for the longest total time, None if the file sets none."""
    times, tempi = pm.get_tempo_changes()
    if not len(times):
        return None
    lengths = np.diff(np.append(times, max(pm.get_end_time(), float(times[-1]))))
    values, which = np.unique(np.round(tempi, 2), return_inverse=True)
    return float(values[np.argmax(np.bincount(which, weights=lengths))])


def _jaccard(a: frozenset[tuple[int, ...]], b: frozenset[tuple[int, ...]]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def find_sections(score: Score) -> Sections:
    """Repeated phrases as a form string, and exact bar repeats."""
    spb = score.meter.steps_per_bar
    bars: list[set[tuple[int, int]]] = [set() for _ in range(score.bars)]
    for track in score.tracks:
        if not track.is_drum:
            for n in track.notes:
                if 0 <= n.start < score.total_steps:
                    bars[n.start // spb].add((n.pitch, n.start % spb))
    content = [frozenset(b) for b in bars]
    seen: set[frozenset[tuple[int, int]]] = set()
    repeats = 0
    for bar in content:
        repeats += bool(bar) and bar in seen
        seen.add(bar)
    filled = sum(bool(bar) for bar in content)
    length = min(score.bars, 8 if score.bars >= LONG_FORM_BARS else 4)
    phrases = [frozenset((i, *event) for i, bar in enumerate(content[p:p + length]) for event in bar)
               for p in range(0, score.bars, length)]
    firsts: list[frozenset[tuple[int, ...]]] = []
    form = []
    for phrase in phrases:
        match = next((i for i, first in enumerate(firsts) if _jaccard(phrase, first) >= PHRASE_SIMILARITY), None)
        if match is None:
            firsts.append(phrase)
            match = len(firsts) - 1
        form.append(_LETTERS[match] if match < len(_LETTERS) else "*")
    return Sections("".join(form), length, repeats / filled if filled else 0.0)


def analyse(score: Score, *, midi: pretty_midi.PrettyMIDI | None = None) -> Analysis:
    """The analysis of a score; with the MIDI it was read from, tempo and swing come from the performance."""
    tempo = predominant_tempo(midi) if midi is not None else None
    score = replace(score, tempo=tempo or score.tempo)
    swing = swing_ratio_from_midi(midi) if midi is not None else None
    return Analysis(key=estimate_key(score), tempo=score.tempo, meter=score.meter, bars=score.bars,
                    chords=half_bar_chords(score), features=extract_features(score, swing),
                    sections=find_sections(score))
