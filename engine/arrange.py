"""Arrangement: the model's melody, chords, bass and drums laid out for a style's ensemble.

Melody, drums and the chord progression are always the model's. The bass is the model's where its
training data had real bass lines (pop, folk, classical); elsewhere (jazz, blues, rock, lofi, whose
sources are lead sheets, chord charts and drum-only grooves) a rule realises the model's chords as
that style's bass idiom: walking bass, boogie, root eighths, sparse roots. Rules also voice the
chords as a comping part (rhythm pattern per style, voice-led voicings) and shape velocities, and
read the chord symbols as the style's players would (`as_played`): a blues plays its major triads as
dominant sevenths (its I7–IV7–V7), a chorale its major and minor sevenths as triads.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, replace

import numpy as np

from .data.encoding import CHORD_TONES, decode
from .models.base import Generated
from .music.score import ChordLabel, Key, Meter, Note, Role, Score, Track, chord_spans

# Comping rhythms as (start step, length) per 4/4 bar; other meters use _COMP_OTHER.
_COMP_44: dict[str, list[tuple[int, int]]] = {
    "pop": [(0, 6), (6, 6), (12, 4)],
    "rock": [(i, 2) for i in range(0, 16, 2)],
    "jazz": [(0, 3), (6, 2), (10, 3)],
    "blues": [(0, 3), (4, 3), (8, 3), (12, 3)],
    "folk": [(0, 4), (4, 2), (6, 2), (8, 4), (12, 2), (14, 2)],
    "classical": [(0, 8), (8, 8)],
    "lofi": [(0, 10), (10, 6)],
}
_COMP_OTHER: dict[Meter, list[tuple[int, int]]] = {
    Meter(3, 4): [(0, 4), (4, 2), (8, 2)],  # oom-pah-pah: the downbeat held, beats 2 and 3 detached
    Meter(6, 8): [(0, 4), (4, 2), (6, 4), (10, 2)],  # quarter-eighth on each dotted-quarter beat: a jig's lilt
}
_SUSTAINED = {"classical", "lofi"}
MODEL_BASS_STYLES = frozenset({"pop", "folk", "classical"})
"""Styles whose training data has bass lines; the others get a rule-realised bass."""
_BASS_LOW = 28  # E1: the bottom of the bass register
_DRUM_ACCENT = {36: 100, 38: 98, 42: 70, 46: 78, 45: 85, 48: 85, 50: 85, 49: 95, 51: 76}


@dataclass(frozen=True)
class Arrangement:
    """How to realise a generation: style, tempo, meter, key and which parts play on which program."""

    style: str
    tempo: float
    meter: Meter
    key: Key | None
    ensemble: dict[Role, int]
    swing: float
    seed: int


def _voicing(root: int, quality: str, previous: list[int] | None, power: bool) -> list[int]:
    """Close-position chord tones in the middle register, moving as little as possible."""
    if power:
        base = 40 + (root - 40) % 12
        return [base, base + 7, base + 12]
    tones = [(root + t) % 12 for t in CHORD_TONES[quality]]
    candidates = []
    for low in range(50, 62):
        voicing = sorted(low + (pc - low) % 12 for pc in tones)
        candidates.append(voicing)
    if not previous:
        return min(candidates, key=lambda v: abs(np.mean(v) - 60))
    return min(candidates, key=lambda v: sum(abs(a - b) for a, b in zip(v, previous, strict=False)))


def comp_track(chords: list[ChordLabel], arr: Arrangement, bars: int, program: int) -> Track:
    """The chord part: each chord voiced and played on the style's comping rhythm."""
    spb = arr.meter.steps_per_bar
    pattern = _COMP_44.get(arr.style, _COMP_44["pop"]) if arr.meter == Meter(4, 4) else \
        _COMP_OTHER.get(arr.meter, [(0, spb // 2), (spb // 2, spb // 2)])
    if arr.style in _SUSTAINED and arr.meter != Meter(4, 4):
        pattern = [(0, spb // 2), (spb // 2, spb // 2)]
    ordered = sorted(chords, key=lambda c: c.start)
    notes: list[Note] = []
    previous: list[int] | None = None
    for bar in range(bars):
        for offset, length in pattern:
            at = bar * spb + offset
            chord = _chord_at(ordered, at)
            if chord is None:
                continue
            previous = _voicing(chord.root, chord.quality, previous, power=arr.style == "rock")
            velocity = 78 if offset == 0 else 66
            notes.extend(Note(p, at, length, velocity) for p in previous)
    return Track(Role.HARMONY, program, notes, "comping")


def _bass_pitch(pc: int, near: int | None = None) -> int:
    """The pitch of class `pc` in the bass register (E1..D#2), or the one nearest `near`."""
    low = _BASS_LOW + (pc - _BASS_LOW) % 12
    if near is None:
        return low
    return min((low, low + 12), key=lambda p: abs(p - near))


def _chord_at(ordered: list[ChordLabel], step: int) -> ChordLabel | None:
    """The chord sounding at `step` of chords sorted by start: the last to start at or before it."""
    found = bisect.bisect_right(ordered, step, key=lambda c: c.start)
    return ordered[found - 1] if found else None


def _walking_beat(chord: ChordLabel, beat: int, prev: int, next_root: int, rng: random.Random) -> int:
    """One quarter of a walking line: root on the chord's first beat, chord tones, approach at the end."""
    tones = [(chord.root + t) % 12 for t in CHORD_TONES[chord.quality]]
    if beat == 0:
        return _bass_pitch(chord.root, prev)
    if beat == 3:
        target = _bass_pitch(next_root, prev)
        return target + rng.choice((-1, 1, -2 if chord.quality in ("min", "m7") else 2))
    return _bass_pitch(rng.choice(tones[1:]), prev)


def rule_bass(chords: list[ChordLabel], arr: Arrangement, bars: int) -> list[Note]:
    """The style's bass idiom over the model's chords (for styles whose data has no bass lines)."""
    spb, beat = arr.meter.steps_per_bar, arr.meter.beat_steps
    ordered = sorted(chords, key=lambda c: c.start)
    rng = random.Random(arr.seed)
    notes: list[Note] = []
    prev = 36
    for step in range(0, bars * spb, beat):
        chord = _chord_at(ordered, step)
        if chord is None:
            continue
        pos = (step % spb) // beat
        nxt = _chord_at(ordered, step + beat) or chord
        if arr.style in ("jazz", "blues") and arr.meter == Meter(4, 4):
            if arr.style == "blues":
                third = 3 if chord.quality in ("min", "m7", "dim", "m7b5") else 4
                riff = (0, third, 7, 9) if pos in (0, 2) else (10, 9, 7, third)
                pitches = [_bass_pitch((chord.root + riff[(pos % 2) * 2 + k]) % 12, prev) for k in range(2)]
                notes += [Note(pitches[0], step, 2, 92), Note(pitches[1], step + 2, 2, 84)]
                prev = pitches[1]
                continue
            prev = _walking_beat(chord, pos, prev, nxt.root, rng)
            notes.append(Note(prev, step, beat, 92 if pos in (0, 2) else 84))
        elif arr.style == "rock":
            prev = _bass_pitch(chord.root, prev)
            notes += [Note(prev, s, 2, 96 if s % beat == 0 else 86) for s in range(step, step + beat, 2)]
        else:  # lofi and anything else: the root on the bar's first beat, the fifth halfway through
            if pos == 0:
                prev = _bass_pitch(chord.root, prev)
                notes.append(Note(prev, step, spb // 2, 88))
            elif step % spb == spb // 2 and spb % 2 == 0:
                notes.append(Note(_bass_pitch((chord.root + 7) % 12, prev), step, spb // 2 - 2, 80))
    return notes


def _shape_drums(track: Track, meter: Meter) -> Track:
    """Velocities that accent the beat: strong on beats, lighter off them."""
    beat = meter.beat_steps
    notes = [Note(n.pitch, n.start, n.duration,
                  _DRUM_ACCENT.get(n.pitch, 80) - (0 if n.start % beat == 0 else 14))
             for n in track.notes]
    return Track(Role.DRUMS, 0, notes, "drums")


AS_PLAYED = {"blues": {"maj": "7"}, "classical": {"maj7": "maj", "m7": "min"}}
"""Chord qualities a style's players read differently (docs/models.md, "Style adherence"). Blues: the model,
with few blues chord labels to learn from, writes triads where the style plays dominant sevenths.
Classical: the chorales' chord labels were estimated per half bar, and passing tones made 28% of them
major and 20% minor sevenths, where Bach's sounding chords are such sevenths 1% and 3% of the time; the
model learnt the labels."""


def as_played(chords: list[ChordLabel], style: str, melody: list[Note], total_steps: int) -> list[ChordLabel]:
    """The chords with the qualities the style plays (`AS_PLAYED`); a triad is not made a dominant seventh
    where the melody sings its major seventh meanwhile."""
    change = AS_PLAYED.get(style, {})
    out = []
    for chord, end in chord_spans(chords, total_steps):
        quality = change.get(chord.quality, chord.quality)
        major_seventh = (chord.root + 11) % 12
        if quality == "7" and any(n.pitch % 12 == major_seventh and n.start < end and n.end > chord.start
                                  for n in melody):
            quality = chord.quality
        out.append(replace(chord, quality=quality))
    return out


def arrange(gen: Generated, arr: Arrangement) -> Score:
    """One generated piece (row 0 of `gen`) as a full score for the arrangement's ensemble."""
    bars = int(gen.melody.shape[1])
    tracks, chords = decode(gen.melody[0].numpy(), gen.bass[0].numpy(), gen.chords[0].numpy(),
                            gen.drums[0].numpy(), arr.meter, arr.ensemble)
    by_role = {t.role: t for t in tracks}
    chords = as_played(chords, arr.style, by_role[Role.MELODY].notes, bars * arr.meter.steps_per_bar)
    parts: list[Track] = []
    if Role.MELODY in arr.ensemble:
        parts.append(Track(Role.MELODY, arr.ensemble[Role.MELODY], by_role[Role.MELODY].notes, "melody"))
    if Role.HARMONY in arr.ensemble:
        parts.append(comp_track(chords, arr, bars, arr.ensemble[Role.HARMONY]))
    if Role.BASS in arr.ensemble:
        bass = by_role[Role.BASS].notes if arr.style in MODEL_BASS_STYLES else rule_bass(chords, arr, bars)
        parts.append(Track(Role.BASS, arr.ensemble[Role.BASS], bass, "bass"))
    if Role.DRUMS in arr.ensemble:
        parts.append(_shape_drums(by_role[Role.DRUMS], arr.meter))
    return Score(tempo=arr.tempo, meter=arr.meter, bars=bars, key=arr.key, tracks=parts, chords=chords,
                 swing=arr.swing, humanize=0.5, seed=arr.seed)
