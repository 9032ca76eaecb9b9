"""Fit the VAE's track priors: per style and meter, the mean and spread of the posterior means of the training
segments that have drums (the drum prior) or a bass line (the bass prior); `MusicVAE.prior_latent` writes those
tracks from them. `cadenza train track-priors` adds them to a trained checkpoint; `cadenza train vae` fits them
at the end of a run."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..data.dataset import SPLITS, SegmentArrays, build_corpus, tensors
from ..data.encoding import METERS, TRACKS
from ..models.vae import MusicVAE
from ..music.score import Meter
from ..styles import STYLES
from .common import DEFAULT_SOURCES, cond_of, save_checkpoint, warm_start

MIN_SEGMENTS = 10
"""Fewer segments with the track than this in a style and meter: for the drums, another style's grooves stand in
(`_nearest_style`); for the bass, and where nothing stands in, the cell is left unfitted (the track is written from
the piece's own latent)."""
PRIOR_TRACKS = {"drum": "drums", "bass": "bass"}
"""A prior's name → the track whose segments it is fitted to."""


@torch.no_grad()
def posterior_means(model: MusicVAE, corpus: SegmentArrays, batch: int = 256) -> torch.Tensor:
    """[N, latent_dim]: the posterior mean of every segment of `corpus`."""
    means = []
    for start in range(0, len(corpus), batch):
        chunk = tensors(corpus, np.arange(start, min(start + batch, len(corpus))))
        chunk = {k: v.to(model.device) for k, v in chunk.items()}
        means.append(model.encode(chunk, cond_of(chunk))[0].cpu())
    return torch.cat(means) if means else torch.zeros(0, model.config.latent_dim)


def with_track_priors(model: MusicVAE, corpus: SegmentArrays,
                      min_segments: int = MIN_SEGMENTS) -> tuple[MusicVAE, dict[str, Any]]:
    """The model with its drum and bass priors fitted to the training split of `corpus`, and how each cell was
    fitted (per prior, per style and meter)."""
    fitted_model = MusicVAE(replace(model.config, drum_prior=True, bass_prior=True)).to(model.device)
    warm_start(fitted_model, model.state_dict())
    fitted_model.eval()
    report: dict[str, Any] = {}
    for prior, track in PRIOR_TRACKS.items():
        report[prior] = _fit(fitted_model, prior, corpus.subset(
            (corpus.split == SPLITS.index("train")) & (corpus.present[:, TRACKS.index(track)] > 0)), min_segments)
    return fitted_model, report


def _fit(model: MusicVAE, prior: str, segments: SegmentArrays, min_segments: int) -> dict[str, Any]:
    """Set one prior's cells from `segments` (those with its track); how each cell was fitted."""
    mean, std, fitted = (getattr(model, f"{prior}_prior_{part}") for part in ("mean", "std", "fitted"))
    mean.zero_()  # a refit starts afresh
    std.fill_(1.0)
    fitted.zero_()
    means = posterior_means(model, segments)
    style = torch.from_numpy(segments.style.astype(np.int64))
    meter = torch.from_numpy(segments.meter.astype(np.int64))
    names = {st.index: st.name for st in STYLES}
    own = {(s, m): (style == s) & (meter == m) for s in names for m in range(len(METERS))}
    enough = {cell: int(rows.sum()) >= min_segments for cell, rows in own.items()}
    report: dict[str, Any] = {}
    for (s, m), rows in own.items():
        source = "style and meter"
        if not enough[s, m] and prior == "drum":  # another style's grooves stand in; the bass borrows none
            donor = _nearest_style(s, m, own, enough, means)
            rows, source = ((own[donor, m], f"{names[donor]}'s (nearest in 4/4)") if donor is not None
                            else (meter == m, "meter, every style"))
        if int(rows.sum()) < min_segments:
            report[f"{names[s]} {METERS[m]}"] = {"segments": int(rows.sum()), "from": "unfitted"}
            continue
        mean[s, m], std[s, m], fitted[s, m] = means[rows].mean(0), means[rows].std(0), True
        report[f"{names[s]} {METERS[m]}"] = {"segments": int(rows.sum()), "from": source}
    return report


def _nearest_style(s: int, m: int, own: dict[tuple[int, int], torch.Tensor], enough: dict[tuple[int, int], bool],
                   means: torch.Tensor) -> int | None:
    """The style whose grooves in meter `m` a style short of them borrows: of those with enough in `m`, the one
    whose 4/4 grooves are nearest its own (their mean posteriors); None where `s` has no 4/4 grooves to compare.

    Pooling styles mixes grooves the decoder cannot average: a pop waltz fitted to the 3/4 grooves of every
    style (mostly jazz waltzes) got its kick on beat 1 in 11% of bars; from rock's 3/4 grooves, 60%."""
    four = METERS.index(Meter(4, 4))
    donors = [d for (d, meter), ok in enough.items() if meter == m and ok and d != s and enough[d, four]]
    if not enough[s, four] or not donors:
        return None
    centre = means[own[s, four]].mean(0)
    return min(donors, key=lambda d: float((means[own[d, four]].mean(0) - centre).norm()))


def add_track_priors(checkpoint: Path, out: Path, datasets_dir: Path, cache_dir: Path) -> dict[str, Any]:
    """Fit the track priors of a VAE checkpoint on the sources it was trained on and write it to `out`."""
    data = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = MusicVAE.from_checkpoint(data)
    train_config = data.get("train_config", {})
    corpus = build_corpus(datasets_dir, cache_dir, tuple(train_config.get("sources", DEFAULT_SOURCES)))
    fitted, report = with_track_priors(model, corpus)
    save_checkpoint(fitted.checkpoint(), {**train_config, "model": asdict(fitted.config), "track_priors": report},
                    out)
    return report
