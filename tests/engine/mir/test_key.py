"""Key finding on cadences in every key."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine.mir.key import estimate_key, find_key, reads_as
from engine.music.score import ChordLabel, Key, Note, Role, Score, Track
from tests.engine.render.scores import demo_score

from .pieces import cadence_piece


@pytest.mark.parametrize("mode", ["major", "minor"])
@pytest.mark.parametrize("tonic", range(12))
def test_cadences_in_every_key(tonic: int, mode: str) -> None:
    found = estimate_key(cadence_piece(tonic, mode))
    assert found is not None and found.key == Key(tonic, mode)
    assert 0.5 < found.strength <= 1.0 and (found.minor_margin > 0) == (mode == "minor")


def test_scale_over_i_vi_iv_v7_stays_in_c() -> None:
    found = estimate_key(demo_score(8))
    assert found is not None and found.key == Key(0, "major")


def test_no_key_without_pitches() -> None:
    assert estimate_key(Score()) is None
    assert find_key(np.ones(12)) is None


def test_chord_symbols_count_beside_the_notes() -> None:
    """Power chords (root and fifth) over a melody on the fifth leave the mode open; the symbols settle it."""
    notes = [Note(50, bar * 16, 16) for bar in range(4)] + [Note(57, bar * 16, 16) for bar in range(4)]
    score = Score(bars=4, tracks=[Track(Role.HARMONY, 0, notes), Track(Role.MELODY, 0, [Note(69, 0, 64)])])
    minor = replace(score, chords=[ChordLabel(0, 2, "min")])
    major = replace(score, chords=[ChordLabel(0, 2, "maj")])
    assert reads_as(minor, Key(2, "minor")) and not reads_as(minor, Key(2, "major"))
    assert reads_as(major, Key(2, "major"))
