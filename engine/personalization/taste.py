"""Taste: what a listener likes, learnt from their ratings, as Bayesian linear regression.

A piece is described by a few interpretable features (`TASTE_FEATURES`, each scaled to about
[-1, 1]) plus a short random projection of its latent code. A rating 1–5 becomes a target in
[-1, 1]. The posterior over weights is Gaussian: precision A = αI + βΦᵀΦ and b = βΦᵀy, so a
taste is just (A, b) — a few KB — and adding a rating, merging members into a channel taste
(precision-weighted pooling), and forgetting are exact and cheap. Candidates are chosen by
Thompson sampling: draw weights from the (narrowed) posterior, score each candidate, keep the best,
which explores while little is known and exploits as ratings accumulate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

LATENT_DIMS = 8
PRIOR_PRECISION = 3.0
NOISE_PRECISION = 4.0
EXPLORATION = 0.3
"""Thompson draws use the posterior covariance scaled by EXPLORATION² (measured: 0.3 closes more of
the random→oracle gap in 20 ratings than full-width draws, 0.66 vs 0.35, while still exploring)."""

# name → (MIR feature it is read from, centre, half-range, words when liked, words when disliked)
_FEATURES: dict[str, tuple[str, float, float, str, str]] = {
    "tempo": ("tempo", 110.0, 50.0, "faster tempos", "slower tempos"),
    "minor": ("key_minor", 0.5, 0.5, "minor keys", "major keys"),
    "melody_density": ("density_melody", 5.0, 4.0, "busy melodies", "sparse melodies"),
    "register": ("pitch_mean_melody", 70.0, 10.0, "a high melody", "a low melody"),
    "leaps": ("melody_leap_share", 0.15, 0.15, "leaping melodies", "stepwise melodies"),
    "syncopation": ("syncopation", 0.2, 0.2, "syncopated rhythms", "on-the-beat rhythms"),
    "drums": ("has_drums", 0.5, 0.5, "drums", "no drums"),
    "drum_density": ("hat_per_bar", 6.0, 6.0, "busy drums", "sparse drums"),
    "sevenths": ("chord_seventh_share", 0.4, 0.4, "jazzy seventh chords", "plain triads"),
    "swing": ("swing_ratio", 1.3, 0.4, "swing", "straight rhythm"),
    "harmony_rate": ("chord_changes_per_bar", 1.0, 1.0, "frequent chord changes", "slow-moving harmony"),
}
TASTE_FEATURES = tuple(_FEATURES)
DIM = len(TASTE_FEATURES) + LATENT_DIMS
_PROJECTION = np.random.default_rng(20261124).normal(0, 1, (128, LATENT_DIMS)) / np.sqrt(128)


def taste_vector(features: Mapping[str, float], latent: np.ndarray | None = None) -> np.ndarray:
    """A piece's position in taste space: scaled named features, then its projected latent."""
    named = [np.clip((float(features.get(src, centre)) - centre) / half, -1.5, 1.5)
             for src, centre, half, _, _ in _FEATURES.values()]
    latent_part = np.zeros(LATENT_DIMS)
    if latent is not None and latent.size:
        z = np.asarray(latent, dtype=np.float64).reshape(-1, latent.shape[-1])[0]
        if z.shape[0] == _PROJECTION.shape[0]:
            latent_part = np.tanh(z @ _PROJECTION)
    return np.concatenate([named, latent_part])


def rating_target(score: int) -> float:
    """A 1–5 rating (or thumbs: 1 down, 5 up) as a regression target in [-1, 1]."""
    if not 1 <= score <= 5:
        raise ValueError(f"rating must be 1–5, not {score}")
    return (score - 3) / 2


@dataclass
class Taste:
    """A Gaussian posterior over taste weights, stored as precision and precision-weighted mean."""

    precision: np.ndarray
    shift: np.ndarray
    ratings: int = 0

    @classmethod
    def prior(cls) -> Taste:
        return cls(np.eye(DIM) * PRIOR_PRECISION, np.zeros(DIM))

    @property
    def mean(self) -> np.ndarray:
        return np.linalg.solve(self.precision, self.shift)

    def updated(self, x: np.ndarray, target: float, weight: float = 1.0) -> Taste:
        """The posterior after one more rating (weight < 0 removes one, for re-ratings)."""
        return Taste(self.precision + weight * NOISE_PRECISION * np.outer(x, x),
                     self.shift + weight * NOISE_PRECISION * target * x, self.ratings + (1 if weight > 0 else -1))

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """Weights drawn from the (narrowed) posterior: Thompson sampling."""
        cov = np.linalg.inv(self.precision) * EXPLORATION**2
        return rng.multivariate_normal(self.mean, (cov + cov.T) / 2)

    def to_dict(self) -> dict[str, object]:
        return {"precision": self.precision.tolist(), "shift": self.shift.tolist(), "ratings": self.ratings}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Taste:
        precision = np.asarray(data["precision"], dtype=np.float64)
        if precision.shape != (DIM, DIM):
            return cls.prior()  # a taste saved with another feature set starts over
        return cls(precision, np.asarray(data["shift"], dtype=np.float64), int(data.get("ratings", 0)))  # type: ignore[call-overload]


def learn(ratings: Sequence[tuple[np.ndarray, int]]) -> Taste:
    """The taste that a set of (taste vector, rating) pairs implies."""
    taste = Taste.prior()
    for x, score in ratings:
        taste = taste.updated(x, rating_target(score))
    return taste


def pool(tastes: Sequence[Taste]) -> Taste:
    """A channel's taste: every member's evidence added up over one shared prior."""
    prior = np.eye(DIM) * PRIOR_PRECISION
    precision = prior + sum((t.precision - prior for t in tastes), np.zeros((DIM, DIM)))
    shift = sum((t.shift for t in tastes), np.zeros(DIM))
    return Taste(precision, shift, sum(t.ratings for t in tastes))


def choose(candidates: np.ndarray, taste: Taste, fit: np.ndarray, rng: np.random.Generator,
           taste_weight: float = 1.0) -> int:
    """Index of the candidate to serve: style fit (log-probability) plus a Thompson draw of taste."""
    w = taste.sample(rng)
    return int(np.argmax(fit + taste_weight * candidates @ w))


def explain(taste: Taste, top: int = 3, threshold: float = 0.15) -> list[str]:
    """Plain words for the strongest learnt preferences, e.g. ["slower tempos", "minor keys"]."""
    if taste.ratings == 0:
        return []
    mean = taste.mean[: len(TASTE_FEATURES)]
    order = np.argsort(-np.abs(mean))[:top]
    words = []
    for i in order:
        if abs(mean[i]) >= threshold:
            _, _, _, liked, disliked = _FEATURES[TASTE_FEATURES[i]]
            words.append(liked if mean[i] > 0 else disliked)
    return words
