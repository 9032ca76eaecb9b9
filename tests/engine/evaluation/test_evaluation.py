"""Reconstruction accuracy and style adherence reports, on small real inputs."""

from __future__ import annotations

from pathlib import Path

import torch

from engine.compose import Composer
from engine.data.dataset import SPLITS, build_corpus
from engine.evaluation.adherence import adherence
from engine.evaluation.reconstruction import reconstruction
from engine.models.registry import load_model
from engine.models.vae import MusicVAE


def test_reconstruction_of_held_out_chorales(composer: Composer, jsb_cache: Path) -> None:
    corpus = build_corpus(composer.settings.datasets_dir, jsb_cache, ["jsb"])
    held_out = corpus.subset(corpus.split == SPLITS.index("valid"))
    model = load_model("vae", composer.settings.checkpoint_dir, torch.device("cpu"))
    assert isinstance(model, MusicVAE)
    report = reconstruction(model, held_out, torch.device("cpu"), limit=24, batch=12)
    acc = report["accuracy"]["all"]
    assert report["segments"] == 24 and set(acc) == {"melody", "bass", "chords"}  # chorales have no drums
    for track in acc.values():
        assert 0.0 <= track["sampled"] <= 1.0 and 0.0 <= track["teacher_forced"] <= 1.0
    assert acc["melody"]["teacher_forced"] > 0.5  # far above chance among ~50 melody tokens


def test_adherence_report_has_tagger_share_and_independent_checks(composer: Composer) -> None:
    report = adherence(composer, n=2, styles=("classical", "waltz"), bars=4)
    assert set(report) == {"classical", "waltz"}
    assert report["classical"]["checks"] == {"no drum kit": 1.0}
    assert report["waltz"]["checks"] == {"3/4 meter": 1.0}
