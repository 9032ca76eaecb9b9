"""How well `similar` finds pieces alike: among each composition's nearest others, the share of its style.

N compositions per style (full pipeline, as stored), each the query in turn against all the others;
precision at k for several weights of the latent against the features in the embedding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..compose import Composer
from ..mir.similarity import embedding, nearest
from ..styles import STYLES
from .adherence import compose_piece

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def precision_at_k(vectors: list[np.ndarray], labels: list[str], k: int) -> float:
    """Mean share, over queries, of the k nearest other vectors that carry the query's label."""
    shares = []
    for i, query in enumerate(vectors):
        others = [v for j, v in enumerate(vectors) if j != i]
        other_labels = [lbl for j, lbl in enumerate(labels) if j != i]
        found = nearest(query, others, k)
        shares.append(np.mean([other_labels[j] == labels[i] for j, _ in found]))
    return float(np.mean(shares))


def similarity_report(composer: Composer, n: int, k: int = 5, bars: int = 8) -> dict[str, Any]:
    """Precision at k of same-style neighbours per latent weight, over n compositions per style."""
    pieces = [(style.name, compose_piece(composer, f"{style.name} {bars} bars", seed))
              for style in STYLES for seed in range(n)]
    labels = [name for name, _ in pieces]
    return {"n_per_style": n, "k": k, "chance": round((n - 1) / (len(pieces) - 1), 3),
            "precision_at_k": {str(w): round(precision_at_k([embedding(p.features, p.latent, w) for _, p in pieces],
                                                             labels, k), 3) for w in WEIGHTS}}
