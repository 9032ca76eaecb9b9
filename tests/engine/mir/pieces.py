"""Small real pieces with known keys, grooves and forms for the MIR tests."""

from __future__ import annotations

from engine.music.score import MODE_SCALES, ChordLabel, Meter, Note, Role, Score, Track

# Scale degrees (0-based) of the chords of a cadence: I–IV–V–I (i–iv–V–i in minor).
CADENCE = (0, 3, 4, 0)
HARMONIC_MINOR = (0, 2, 3, 5, 7, 8, 11)


def cadence_piece(tonic: int, mode: str = "major", bars: int = 8) -> Score:
    """A melody running up and down the scale over I–IV–V–I; minor uses the harmonic minor."""
    scale = HARMONIC_MINOR if mode == "minor" else MODE_SCALES[mode]
    line = [*scale, 12, *reversed(scale)]
    melody, harmony, bass = [], [], []
    for bar in range(bars):
        lo = bar * 16
        degree = CADENCE[bar % len(CADENCE)]
        triad = [scale[(degree + k) % 7] + 12 * ((degree + k) // 7) for k in (0, 2, 4)]
        harmony += [Note(60 + tonic + p, lo, 16, 70) for p in triad]
        bass.append(Note(36 + tonic + scale[degree], lo, 16, 90))
        melody += [Note(72 + tonic + line[(bar * 8 + i) % len(line)], lo + 2 * i, 2, 100) for i in range(8)]
    return Score(bars=bars, tracks=[Track(Role.MELODY, 0, melody), Track(Role.HARMONY, 0, harmony),
                                    Track(Role.BASS, 33, bass)])


def rock_beat(bars: int = 4, sixteenth_hats: bool = False) -> Score:
    """Kick on 1 and 3, snare on 2 and 4, closed hats in 8ths (or 16ths), root-note bass in 8ths."""
    drums, bass = [], []
    for bar in range(bars):
        lo = bar * 16
        drums += [Note(36, lo + s, 1, 110) for s in (0, 8)] + [Note(38, lo + s, 1, 110) for s in (4, 12)]
        drums += [Note(42, lo + s, 1, 80) for s in range(0, 16, 1 if sixteenth_hats else 2)]
        bass += [Note(40, lo + s, 2, 90) for s in range(0, 16, 2)]
    return Score(tempo=120, bars=bars, tracks=[Track(Role.BASS, 33, bass), Track(Role.DRUMS, 0, drums)])


def waltz(bars: int = 4) -> Score:
    """Oom-pah-pah in 3/4: bass and kick on 1, chord and snare brush on 2 and 3."""
    meter = Meter(3, 4)
    drums, harmony, bass = [], [], []
    for bar in range(bars):
        lo = bar * 12
        drums += [Note(36, lo, 1, 100)] + [Note(38, lo + s, 1, 60) for s in (4, 8)]
        harmony += [Note(p, lo + s, 4, 70) for s in (4, 8) for p in (64, 67, 72)]
        bass.append(Note(48, lo, 4, 90))
    return Score(tempo=150, meter=meter, bars=bars, tracks=[Track(Role.HARMONY, 0, harmony),
                                                            Track(Role.BASS, 32, bass), Track(Role.DRUMS, 0, drums)])


def eighths(bars: int = 8, swing: float = 0.0, humanize: float = 0.0) -> Score:
    """A melody and a ride cymbal in even 8ths, performed with the given swing."""
    melody = [Note(60 + (i * 2) % 12, i * 2, 2, 96) for i in range(bars * 8)]
    ride = [Note(51, i * 2, 1, 80) for i in range(bars * 8)]
    return Score(tempo=140, bars=bars, swing=swing, humanize=humanize, seed=3,
                 tracks=[Track(Role.MELODY, 66, melody), Track(Role.DRUMS, 0, ride)])


def song_form(form: str = "AABA", phrase_bars: int = 4) -> Score:
    """Phrases whose melodies differ by letter (each letter an octave of its own), one chord per bar."""
    melody, chords = [], []
    for p, letter in enumerate(form):
        base = 48 + 12 * "ABCD".index(letter)
        for b in range(phrase_bars):
            lo = (p * phrase_bars + b) * 16
            melody += [Note(base + (b + 2 * i) % 12, lo + 4 * i, 4) for i in range(4)]
            chords.append(ChordLabel(lo, 0, "maj"))
    return Score(bars=len(form) * phrase_bars, chords=chords, tracks=[Track(Role.MELODY, 0, melody)])
