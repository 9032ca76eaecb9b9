"""Training segments: each window labelled with the key its own music reads as."""

from __future__ import annotations

from engine.data.dataset import segments_of
from engine.data.sources import Piece
from engine.music.score import Key
from tests.engine.mir.pieces import cadence_piece


def test_each_window_gets_the_key_of_its_own_bars() -> None:
    score = cadence_piece(0, "major").then(cadence_piece(6, "minor"))  # C major, then F# minor
    score.key = Key(0, "major")  # the piece's one label, as a source gives it
    seg = segments_of([Piece(score, "classical", "test", "modulating", (True, True, True, False))])
    assert len(seg) == 3  # bars 1-8, 5-12, 9-16
    assert (int(seg.tonic[0]), int(seg.minor[0])) == (0, 0)
    assert (int(seg.tonic[-1]), int(seg.minor[-1])) == (6, 1)
