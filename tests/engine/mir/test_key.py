"""Key finding on cadences in every key."""

from __future__ import annotations

import numpy as np
import pytest

from engine.mir.key import estimate_key, find_key
from engine.music.score import Key, Score
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
