"""The JSB anchor: importance-weighted NLL bound of the shipped VAE on a few held-out chorale segments."""

from __future__ import annotations

from pathlib import Path

import torch

from engine.compose import Composer
from engine.data.dataset import SPLITS, build_corpus
from engine.evaluation.jsb_nll import PUBLISHED, nll_bound
from engine.models.registry import load_model
from engine.models.vae import MusicVAE


def test_bound_on_test_chorales_is_positive_and_tighter_than_the_elbo(composer: Composer, jsb_cache: Path) -> None:
    corpus = build_corpus(composer.settings.datasets_dir, jsb_cache, ["jsb"])
    test = corpus.subset(corpus.split == SPLITS.index("test"))
    few = test.subset(torch.arange(len(test)).numpy() < 8)
    model = load_model("vae", composer.settings.checkpoint_dir, torch.device("cpu"))
    assert isinstance(model, MusicVAE)
    report = nll_bound(model, few, samples=4, batch_size=8)
    nats = report["nats_per_frame"]
    assert report["frames"] == 8 * 8 * 4  # eight 4/4 segments of 8 bars, quarter-note frames
    assert 0 < nats["iwae_bound"] <= nats["elbo_bound"] + 1e-6
    recon = sum(nats["reconstruction"].values())
    assert abs(nats["elbo_bound"] - (recon + nats["kl"])) < 0.01
    assert set(report["published"]) == set(PUBLISHED)
    untrained = nll_bound(MusicVAE(model.config), few, samples=4, batch_size=8)
    assert untrained["nats_per_frame"]["iwae_bound"] > nats["iwae_bound"] + 5  # training is what makes it low
