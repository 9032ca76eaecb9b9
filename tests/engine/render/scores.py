"""Small hand-built scores for the render tests."""

from __future__ import annotations

from engine.music.score import ChordLabel, Key, Meter, Note, Role, Score, Track

SCALE = (60, 62, 64, 65, 67, 69, 71, 72)
# (root pitch class, quality, voicing) per bar, cycling.
PROGRESSION = ((0, "maj", (60, 64, 67)), (9, "min", (57, 60, 64)),
               (5, "maj", (53, 57, 60)), (7, "7", (55, 59, 62, 65)))


def demo_score(bars: int = 4, meter: Meter | None = None, swing: float = 0.0, tempo: float = 120.0) -> Score:
    """A C major scale in 8ths over a I–vi–IV–V7 loop, root bass on each beat, drums on 16ths."""
    meter = meter or Meter(4, 4)
    spb, beat = meter.steps_per_bar, meter.beat_steps
    melody, harmony, bass, drums, chords = [], [], [], [], []
    for bar in range(bars):
        lo = bar * spb
        root, quality, voicing = PROGRESSION[bar % len(PROGRESSION)]
        chords.append(ChordLabel(lo, root, quality))
        harmony += [Note(p, lo, spb, 70) for p in voicing]
        bass += [Note(36 + root, lo + s, beat, 96) for s in range(0, spb, beat)]
        melody += [Note(SCALE[(lo + s) // 2 % len(SCALE)] + 12, lo + s, 2, 100) for s in range(0, spb, 2)]
        drums += [Note(42, lo + s, 1, 60 + 30 * (s % 2 == 0)) for s in range(spb)]
        drums += [Note(36 if s == 0 else 38, lo + s, 1, 110) for s in range(0, spb, beat)]
    return Score(tempo=tempo, meter=meter, bars=bars, key=Key(0, "major"), swing=swing, chords=chords,
                 tracks=[Track(Role.MELODY, 0, melody, "Lead"), Track(Role.HARMONY, 48, harmony, "Strings"),
                         Track(Role.BASS, 33, bass, "Bass"), Track(Role.DRUMS, 0, drums, "Drums")])
