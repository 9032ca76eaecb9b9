"""The taste model: ratings move it the right way; channels pool members; choices follow taste."""

from __future__ import annotations

import numpy as np
import pytest

from engine.personalization.taste import (
    DIM,
    TASTE_FEATURES,
    Taste,
    choose,
    explain,
    learn,
    pool,
    rating_target,
    taste_vector,
)


def _piece(tempo: float, minor: float) -> np.ndarray:
    return taste_vector({"tempo": tempo, "key_minor": minor})


def test_liking_slow_minor_pieces_learns_slow_minor() -> None:
    taste = learn([(_piece(70, 1), 5), (_piece(150, 0), 1), (_piece(80, 1), 4), (_piece(140, 0), 2)])
    mean = taste.mean
    assert mean[TASTE_FEATURES.index("tempo")] < 0
    assert mean[TASTE_FEATURES.index("minor")] > 0
    assert explain(taste)[:2] == ["slower tempos", "minor keys"] or set(explain(taste)) >= {"slower tempos"}


def test_each_rating_moves_the_prediction_toward_it() -> None:
    x = _piece(90, 1)
    before = float(x @ Taste.prior().mean)
    liked = Taste.prior().updated(x, rating_target(5))
    disliked = Taste.prior().updated(x, rating_target(1))
    assert float(x @ liked.mean) > before > float(x @ disliked.mean)


def test_rerating_can_be_undone_exactly() -> None:
    x = _piece(120, 0)
    taste = Taste.prior().updated(x, rating_target(5)).updated(x, rating_target(5), weight=-1)
    assert np.allclose(taste.precision, Taste.prior().precision) and np.allclose(taste.shift, 0)


def test_channel_taste_pools_members() -> None:
    a = learn([(_piece(70, 1), 5)])
    b = learn([(_piece(75, 1), 5)])
    channel = pool([a, b])
    assert channel.ratings == 2
    x = _piece(72, 1)
    assert float(x @ channel.mean) > float(x @ a.mean) > 0


def test_thompson_choice_prefers_liked_candidates_once_learnt() -> None:
    rng = np.random.default_rng(0)
    taste = learn([(_piece(70, 1), 5)] * 10 + [(_piece(150, 0), 1)] * 10)
    candidates = np.stack([_piece(150, 0), _piece(72, 1)])
    picks = [choose(candidates, taste, np.zeros(2), rng) for _ in range(50)]
    assert np.mean(picks) > 0.9


def test_round_trip_and_bad_ratings() -> None:
    taste = learn([(_piece(90, 0), 3)])
    again = Taste.from_dict(taste.to_dict())
    assert np.allclose(again.precision, taste.precision) and again.ratings == 1
    assert Taste.from_dict({"precision": [[1.0]], "shift": [0.0]}).precision.shape == (DIM, DIM)
    with pytest.raises(ValueError, match="1–5"):
        rating_target(6)
