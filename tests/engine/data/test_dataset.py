"""Training segments: each window labelled with the key its own music reads as."""

from __future__ import annotations

import numpy as np

from engine.data.dataset import segments_of, tensors
from engine.data.sources import Piece
from engine.music.score import Key
from tests.engine.mir.pieces import cadence_piece, rock_beat


def test_each_window_gets_the_key_of_its_own_bars() -> None:
    score = cadence_piece(0, "major").then(cadence_piece(6, "minor"))  # C major, then F# minor
    score.key = Key(0, "major")  # the piece's one label, as a source gives it
    seg = segments_of([Piece(score, "classical", "test", "modulating", (True, True, True, False))])
    assert len(seg) == 3  # bars 1-8, 5-12, 9-16
    assert (int(seg.tonic[0]), int(seg.minor[0])) == (0, 0)
    assert (int(seg.tonic[-1]), int(seg.minor[-1])) == (6, 1)


def test_a_melody_without_chord_symbols_has_its_estimated_chords_read_but_not_learnt() -> None:
    score = cadence_piece(0, "major")
    score.chords = []
    melody_only = Piece(score, "jazz", "test", "solo", (True, False, False, False))
    drums_only = Piece(rock_beat(8), "rock", "test", "groove", (False, False, False, True))
    seg = segments_of([melody_only, drums_only])
    batch = tensors(seg, np.arange(len(seg)))
    assert batch["present"][:, 2].tolist() == [0.0, 0.0]  # no chord target
    assert batch["chords_in"].tolist() == [1.0, 0.0]  # the solo's estimated chords are read
    assert (batch["chords"][0] > 0).all()
