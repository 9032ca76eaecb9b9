"""Chords per half bar: symbols when present, else the models' own chord estimate."""

from __future__ import annotations

import random

import pytest

from engine.data.encoding import chord_of_token, estimate_chords
from engine.mir.harmony import estimate_half_bar_chords, half_bar_chords, labelled_half_bar_chords
from engine.music.score import ChordLabel, Meter, Note, Role, Score, Track


@pytest.mark.parametrize("seed", range(40))
def test_estimate_matches_the_encoding_estimate(seed: int) -> None:
    rng = random.Random(seed)
    meter = rng.choice([Meter(4, 4), Meter(3, 4), Meter(6, 8)])
    bars = rng.randint(1, 6)
    notes = [Note(rng.randint(30, 90), rng.randint(0, bars * meter.steps_per_bar + 3), rng.randint(1, 30))
             for _ in range(rng.randint(0, 30))]
    drums = Track(Role.DRUMS, 0, [Note(37, 0, 1)])
    score = Score(meter=meter, bars=bars, tracks=[Track(Role.HARMONY, 0, notes), drums])
    expected = [chord_of_token(int(t)) for t in estimate_chords(score, bars * 2)]
    assert [(c.root, c.quality) if c else None for c in estimate_half_bar_chords(score)] == expected


def test_block_chords_are_named() -> None:
    voicings = [(0, (48, 52, 55)), (9, (45, 48, 52)), (2, (50, 53, 57, 60)), (7, (43, 47, 50, 53))]
    notes = [Note(p, 8 * i, 8) for i, (_, chord) in enumerate(voicings) for p in chord]
    symbols = [c.symbol if c else None for c in half_bar_chords(Score(bars=3, tracks=[Track(Role.HARMONY, 0, notes)]))]
    assert symbols == ["C", "Am", "Dm7", "G7", None, None]


def test_symbols_win_and_hold_until_the_next() -> None:
    labels = [ChordLabel(0, 0, "maj"), ChordLabel(12, 7, "7"), ChordLabel(20, 5, "aug")]
    score = Score(bars=2, chords=labels, tracks=[Track(Role.HARMONY, 0, [Note(61, 0, 32)])])
    assert [c.symbol if c else None for c in labelled_half_bar_chords(score)] == ["C", "G7", "Faug", "Faug"]
    assert half_bar_chords(score) == labelled_half_bar_chords(score)
    assert labelled_half_bar_chords(Score(bars=1, chords=[ChordLabel(8, 0, "min")])) == [None, ChordLabel(8, 0, "min")]
