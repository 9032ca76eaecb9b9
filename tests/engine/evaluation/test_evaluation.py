"""Reconstruction accuracy and style adherence reports, on small real inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from engine.compose import Composer
from engine.data.dataset import SPLITS, build_corpus
from engine.evaluation.adherence import adherence
from engine.evaluation.personalization import Pool, gap_closed, simulate
from engine.evaluation.reconstruction import reconstruction
from engine.evaluation.similarity import WEIGHTS, precision_at_k, similarity_report
from engine.models.registry import load_model
from engine.models.vae import MusicVAE
from engine.personalization.taste import DIM


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
    assert set(report) == {"classical", "waltz", "classical in C minor"}  # a style's key requests come with it
    assert report["classical"]["checks"] == report["classical in C minor"]["checks"] == {"no drum kit": 1.0}
    assert report["waltz"]["checks"] == {"3/4 meter": 1.0}
    assert all(0.0 <= r["reads_in_key"] <= 1.0 for r in report.values())


def test_precision_at_k_counts_neighbours_of_the_same_label() -> None:
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    vectors = [a, a * 0.9 + b * 0.1, b, b * 0.9 + a * 0.1]
    assert precision_at_k(vectors, ["x", "x", "y", "y"], k=1) == 1.0
    assert precision_at_k(vectors, ["x", "y", "x", "y"], k=1) == 0.0


def test_similarity_report_measures_each_latent_weight(composer: Composer) -> None:
    report = similarity_report(composer, n=2, k=1, bars=4)
    assert report["chance"] == round(1 / 13, 3)
    assert set(report["precision_at_k"]) == {str(w) for w in WEIGHTS}
    assert all(0.0 <= v <= 1.0 for v in report["precision_at_k"].values())


def test_simulated_users_are_learnt_faster_than_random_choice() -> None:
    rng = np.random.default_rng(3)
    pool = Pool(np.clip(rng.normal(0, 0.6, (200, DIM)), -1.5, 1.5), ["pop"] * 200)
    curves = simulate(pool, users=40, rounds=20, seed=1)
    assert all(o >= s - 1e-9 for s, o in zip(curves["system"], curves["oracle"], strict=True))
    assert gap_closed(curves, 20) > 0.3
    assert np.mean(curves["system"][-5:]) > np.mean(curves["system"][:5])


def test_latency_report_has_stages_throughput_and_memory_per_model() -> None:
    from engine.evaluation.latency import latency_report

    report = latency_report(runs=1, bars=2, models=("vae",), request="folk in E minor")
    assert report["request"] == "folk in E minor 2 bars"
    stages = report["models"]["vae"]["stages_ms"]
    assert {"model", "render", "encode", "musicxml", "total", "reply"} <= set(stages)
    assert stages["reply"]["p50"] < stages["total"]["p50"]  # the bot's reply does not wait for the MusicXML
    assert all(0 < v["p50"] <= v["p95"] for v in stages.values())
    assert set(report["models"]["vae"]["model_pieces_per_s_by_batch"]) == {1, 8, 32}
    assert report["peak_rss_mib"] > 100


def test_seventh_share_counts_the_chords_the_model_wrote() -> None:
    from engine.data.encoding import chord_token
    from engine.evaluation.adherence import seventh_share

    tokens = np.array([[chord_token(0, "7"), chord_token(0, "maj")], [0, chord_token(2, "m7")]])
    assert seventh_share(tokens) == pytest.approx(2 / 3)  # the bar without a chord is left out
    assert seventh_share(np.zeros((2, 2), dtype=np.int64)) == 0.0
