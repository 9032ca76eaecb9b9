"""Simulated listeners with hidden tastes rate compositions; does Cadenza learn what they like?

A pool of real compositions (the shipped model, several styles) is described in taste space.
Each simulated user has hidden weights over the interpretable taste features (2–4 of tempo,
mode, density, register, drums, …, with random signs). Every round four candidates are drawn
from the pool; the system picks one by Thompson sampling from that user's learnt taste, the user
rates it 1–5 from its hidden utility plus noise, and the taste is updated. Random choice and the
oracle (the candidate with the highest hidden utility) are measured on the same candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..arrange import arrange
from ..compose import Composer
from ..mir.features import extract_features
from ..personalization.taste import TASTE_FEATURES, Taste, choose, rating_target, taste_vector
from ..requests import parse_request
from ..styles import STYLES

CANDIDATES = 4
RATING_NOISE = 0.3


@dataclass
class Pool:
    """Compositions as taste vectors."""

    vectors: np.ndarray
    styles: list[str]


def build_pool(composer: Composer, per_style: int, bars: int = 8) -> Pool:
    """`per_style` compositions of every style, with varied tempo words and moods."""
    words = ("", "slow", "fast", "sad", "happy", "no drums", "piano and drums")
    vectors, styles = [], []
    for style in STYLES:
        for i in range(per_style):
            request = parse_request(f"{style.name} {words[i % len(words)]} {bars} bars", seed=i)
            gen, arrangement, _ = composer.generate(request, i)
            score = arrange(gen, arrangement)
            vectors.append(taste_vector(extract_features(score), gen.latent.numpy()))
            styles.append(style.name)
    return Pool(np.stack(vectors), styles)


def hidden_taste(rng: np.random.Generator) -> np.ndarray:
    """A user's true weights: a few named features matter, with random signs and strengths."""
    w = np.zeros(len(TASTE_FEATURES))
    chosen = rng.choice(len(TASTE_FEATURES), size=rng.integers(2, 5), replace=False)
    w[chosen] = rng.choice((-1.0, 1.0), size=len(chosen)) * rng.uniform(0.5, 1.0, size=len(chosen))
    return w


def simulate(pool: Pool, users: int = 200, rounds: int = 30, seed: int = 0) -> dict[str, list[float]]:
    """Mean hidden utility per round for the system, random choice and the oracle."""
    rng = np.random.default_rng(seed)
    named = len(TASTE_FEATURES)
    curves = {name: np.zeros(rounds) for name in ("system", "random", "oracle")}
    for _ in range(users):
        w = hidden_taste(rng)
        taste = Taste.prior()
        for t in range(rounds):
            idx = rng.choice(len(pool.vectors), size=CANDIDATES, replace=False)
            candidates = pool.vectors[idx]
            utility = candidates[:, :named] @ w
            pick = choose(candidates, taste, np.zeros(CANDIDATES), rng)
            curves["system"][t] += utility[pick]
            curves["random"][t] += utility.mean()
            curves["oracle"][t] += utility.max()
            rating = int(np.clip(round(3 + 2 * np.tanh(utility[pick] + rng.normal(0, RATING_NOISE))), 1, 5))
            taste = taste.updated(candidates[pick], rating_target(rating))
    return {name: (curve / users).round(4).tolist() for name, curve in curves.items()}


def gap_closed(curves: dict[str, list[float]], at_round: int = 20, window: int = 5) -> float:
    """Share of the random→oracle gap the system closes, averaged over the `window` rounds up to `at_round`."""
    sl = slice(at_round - window, at_round)
    system, random, oracle = (float(np.mean(curves[k][sl])) for k in ("system", "random", "oracle"))
    return (system - random) / (oracle - random) if oracle > random else 0.0
