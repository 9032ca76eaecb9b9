"""Fit the VAE's drum prior: per style and meter, the mean and spread of the posterior means of the training
segments that have drums (`MusicVAE.drum_latent` writes the drums from it). `cadenza train drum-prior` adds it
to a trained checkpoint; `cadenza train vae` fits it at the end of a run."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..data.dataset import SPLITS, SegmentArrays, build_corpus, tensors
from ..data.encoding import METERS, TRACKS
from ..models.vae import MusicVAE
from ..styles import STYLES
from .common import DEFAULT_SOURCES, cond_of, save_checkpoint, warm_start

MIN_SEGMENTS = 10
"""Fewer drum segments than this in a style and meter: the meter's segments of every style stand in; fewer
than this in the meter too: the cell is left unfitted (its drums are written from the piece's own latent)."""


@torch.no_grad()
def posterior_means(model: MusicVAE, corpus: SegmentArrays, batch: int = 256) -> torch.Tensor:
    """[N, latent_dim]: the posterior mean of every segment of `corpus`."""
    means = []
    for start in range(0, len(corpus), batch):
        chunk = tensors(corpus, np.arange(start, min(start + batch, len(corpus))))
        chunk = {k: v.to(model.device) for k, v in chunk.items()}
        means.append(model.encode(chunk, cond_of(chunk))[0].cpu())
    return torch.cat(means) if means else torch.zeros(0, model.config.latent_dim)


def with_drum_prior(model: MusicVAE, corpus: SegmentArrays,
                    min_segments: int = MIN_SEGMENTS) -> tuple[MusicVAE, dict[str, Any]]:
    """The model with a drum prior fitted to the training split of `corpus`, and how each cell was fitted."""
    fitted_model = MusicVAE(replace(model.config, drum_prior=True)).to(model.device)
    warm_start(fitted_model, model.state_dict())
    fitted_model.eval()
    fitted_model.drum_prior_mean.zero_()  # a refit starts afresh
    fitted_model.drum_prior_std.fill_(1.0)
    fitted_model.drum_prior_fitted.zero_()
    keep = (corpus.split == SPLITS.index("train")) & (corpus.present[:, TRACKS.index("drums")] > 0)
    drums = corpus.subset(keep)
    means = posterior_means(fitted_model, drums)
    style, meter = torch.from_numpy(drums.style.astype(np.int64)), torch.from_numpy(drums.meter.astype(np.int64))
    report: dict[str, Any] = {}
    names = {st.index: st.name for st in STYLES}
    for s in range(model.config.n_styles):
        for m in range(len(METERS)):
            rows, source = (style == s) & (meter == m), "style and meter"
            if int(rows.sum()) < min_segments:
                rows, source = meter == m, "meter, every style"
            if int(rows.sum()) < min_segments:
                report[f"{names[s]} {METERS[m]}"] = {"segments": int(rows.sum()), "from": "unfitted"}
                continue
            fitted_model.drum_prior_mean[s, m] = means[rows].mean(0)
            fitted_model.drum_prior_std[s, m] = means[rows].std(0)
            fitted_model.drum_prior_fitted[s, m] = True
            report[f"{names[s]} {METERS[m]}"] = {"segments": int(rows.sum()), "from": source}
    return fitted_model, report


def add_drum_prior(checkpoint: Path, out: Path, datasets_dir: Path, cache_dir: Path) -> dict[str, Any]:
    """Fit the drum prior of a VAE checkpoint on the sources it was trained on and write it to `out`."""
    data = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = MusicVAE.from_checkpoint(data)
    train_config = data.get("train_config", {})
    corpus = build_corpus(datasets_dir, cache_dir, tuple(train_config.get("sources", DEFAULT_SOURCES)))
    fitted, report = with_drum_prior(model, corpus)
    save_checkpoint(fitted.checkpoint(), {**train_config, "model": asdict(fitted.config), "drum_prior": report}, out)
    return report
