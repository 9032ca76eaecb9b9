"""The similarity embedding and nearest-neighbour search."""

from __future__ import annotations

import numpy as np

from engine.mir.similarity import embedding, nearest


def test_embedding_is_unit_length_and_nearest_orders_by_cosine() -> None:
    a = embedding({"syncopation": 0.5, "density_melody": 4.0}, np.ones(128))
    b = embedding({"syncopation": 0.5, "density_melody": 4.5}, np.ones(128))
    c = embedding({"syncopation": 0.0, "density_melody": 0.5}, -np.ones(128))
    assert np.linalg.norm(a) == 1.0 or abs(np.linalg.norm(a) - 1.0) < 1e-9
    assert [i for i, _ in nearest(a, [c, b], k=2)] == [1, 0]
    assert nearest(a, [], k=3) == []
    assert abs(nearest(a, [embedding({}, None)], k=1)[0][1]) <= 1.0


def test_the_latent_weight_sets_how_much_the_latent_counts() -> None:
    features = {"syncopation": 0.5, "density_melody": 4.0}
    a, b = embedding(features, np.ones(128), 0.0), embedding(features, -np.ones(128), 0.0)
    assert nearest(a, [b], k=1)[0][1] > 0.999  # features alone: the same piece
    a, b = embedding(features, np.ones(128), 1.0), embedding(features, -np.ones(128), 1.0)
    assert nearest(a, [b], k=1)[0][1] < -0.999  # latent alone: opposite
