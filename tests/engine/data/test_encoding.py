"""The segment encoding: scores to arrays and back, chord estimation, a segment's chroma."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data.encoding import (
    CHORD_TONES,
    HOLD,
    PITCH0,
    REST,
    chord_of_token,
    chord_token,
    decode,
    encode,
    estimate_chord,
    segment_chroma,
)
from engine.music.score import ChordLabel, Meter, Note, Role, Score, Track


@pytest.mark.parametrize("meter", [Meter(4, 4), Meter(3, 4), Meter(6, 8)])
def test_encode_decode_round_trip(meter: Meter) -> None:
    spb = meter.steps_per_bar
    melody = [Note(60, 0, 3), Note(64, 4, 2), Note(67, spb, spb - 2)]
    bass = [Note(36, 0, spb), Note(43, spb, 4)]
    drums = [Note(36, 0, 1), Note(38, 4, 1), Note(42, 2, 1)]
    chords = [ChordLabel(0, 0, "maj"), ChordLabel(spb, 7, "7")]
    score = Score(meter=meter, bars=2, chords=chords,
                  tracks=[Track(Role.MELODY, 0, melody), Track(Role.BASS, 33, bass), Track(Role.DRUMS, 0, drums)])
    seg = encode(score, (True, True, True, True))
    assert seg.melody.shape == (2, 16) and seg.drums.shape == (2, 16, 9) and seg.chords.shape == (2, 2)
    assert seg.melody[0, 0] >= PITCH0 and seg.melody[0, 1] == HOLD and seg.melody[0, 3] == REST
    tracks, labels = decode(seg.melody, seg.bass, seg.chords, seg.drums, meter, {Role.MELODY: 0, Role.BASS: 33})
    by_role = {t.role: t for t in tracks}
    assert [(n.pitch, n.start, n.duration) for n in by_role[Role.MELODY].notes] == \
           [(n.pitch, n.start, n.duration) for n in melody]
    assert [(n.pitch, n.start, n.duration) for n in by_role[Role.BASS].notes] == \
           [(n.pitch, n.start, n.duration) for n in bass]
    assert sorted((n.pitch, n.start) for n in by_role[Role.DRUMS].notes) == sorted((n.pitch, n.start) for n in drums)
    assert [(c.start, c.symbol) for c in labels] == [(0, "C"), (spb // 2, "C"), (spb, "G7"), (spb + spb // 2, "G7")]


def test_padding_steps_of_short_bars_are_rests() -> None:
    score = Score(meter=Meter(3, 4), bars=1, tracks=[Track(Role.MELODY, 0, [Note(60, 0, 12)])])
    seg = encode(score, (True, False, False, False))
    assert (seg.melody[0, 12:] == REST).all()


@pytest.mark.parametrize("root", range(12))
@pytest.mark.parametrize("quality", ["maj", "min", "7", "m7", "maj7", "dim"])
def test_chord_estimation_recovers_templates(root: int, quality: str) -> None:
    weights = np.zeros(12)
    for t in CHORD_TONES[quality]:
        weights[(root + t) % 12] = 1.0
    assert chord_of_token(estimate_chord(weights, bass_pc=root)) == (root, quality)
    assert chord_of_token(chord_token(root, quality)) == (root, quality)


def test_silence_has_no_chord() -> None:
    assert estimate_chord(np.zeros(12)) == 0


def test_segment_chroma_counts_sounding_steps_and_chord_half_bars() -> None:
    score = Score(meter=Meter(3, 4), bars=2, tracks=[
        Track(Role.MELODY, 0, [Note(62, 0, 3), Note(64, 12, 18)]),  # D for 3 steps; E held over the bar line
        Track(Role.BASS, 33, [Note(36, 0, 6)])],                      # C for half a bar
        chords=[ChordLabel(0, 7, "maj"), ChordLabel(12, 0, "maj")])  # G for bar 1, C for bar 2
    seg = encode(score, (True, True, True, False))
    chroma = segment_chroma(seg.melody[None], seg.bass[None], seg.chords[None], spb=12)[0]
    expected = np.zeros(12)
    expected[[2, 4, 0]] = [3, 12, 6]
    expected[[7, 11, 2]] += 12  # G B D for a bar of 3/4 (its padding steps 12-15 never count)
    expected[[0, 4, 7]] += 12
    assert chroma.tolist() == expected.tolist()
