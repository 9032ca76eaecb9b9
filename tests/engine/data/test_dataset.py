"""Training segments: each window labelled with the key its own music reads as; balanced sampling."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data.dataset import SegmentArrays, SegmentBatches, segments_of
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


@pytest.mark.parametrize(("by_meter", "three_four_share"), [(False, 0.10), (True, 0.25)])
def test_sampling_balances_styles_and_on_request_meters(by_meter: bool, three_four_share: float) -> None:
    """One style, 90 segments in 4/4 and 10 in 3/4: by style alone 3/4 keeps its 10%; by meter too, each
    meter's share goes with the square root of its count, sqrt(10) / (sqrt(10) + sqrt(90)) = 1/4."""
    n = 100
    meter = np.array([0] * 90 + [1] * 10)
    zeros = np.zeros(n, dtype=np.int64)
    corpus = SegmentArrays(np.zeros((n, 8, 16), dtype=np.int8), np.zeros((n, 8, 16), dtype=np.int8),
                           np.zeros((n, 8, 2), dtype=np.int16), np.zeros((n, 8, 16, 9), dtype=np.uint8), meter,
                           zeros, zeros, zeros, np.ones((n, 4), dtype=np.uint8), zeros, np.array(["x"] * n),
                           np.array(["x"] * n))
    assert SegmentBatches(corpus, 8, by_meter=by_meter).p[meter == 1].sum() == pytest.approx(three_four_share)
