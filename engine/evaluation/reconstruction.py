"""Reconstruction accuracy of the VAE on held-out segments, teacher-forced and sampled.

Teacher-forced: each step is predicted from the true previous steps (latent = posterior mean).
Sampled: the decoder runs on its own greedy outputs from the posterior mean, as in MusicVAE's
"sampling" column. Accuracy is per step over steps inside the bar, for tracks the source has;
a drum step counts as right only when all nine drum classes are right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..data.dataset import SPLITS, SegmentArrays, build_corpus, tensors
from ..data.encoding import TRACKS
from ..models.base import pad_mask
from ..models.vae import MusicVAE
from ..styles import STYLES
from ..training.common import cond_of, to_device


@torch.no_grad()
def reconstruction(model: MusicVAE, corpus: SegmentArrays, device: torch.device,
                   limit: int = 600, batch: int = 100) -> dict[str, Any]:
    """Per-track accuracy, overall and per style, on up to `limit` segments (a fixed random subset)."""
    model.eval()
    order = np.random.default_rng(0).permutation(len(corpus))[:limit]
    sums: dict[tuple[str, str, str], list[float]] = {}

    def add(mode: str, track: str, style: str, hits: torch.Tensor, weight: torch.Tensor) -> None:
        for key in ((mode, track, "all"), (mode, track, style)):
            acc = sums.setdefault(key, [0.0, 0.0])
            acc[0] += float((hits * weight).sum())
            acc[1] += float(weight.sum())

    for chunk in np.array_split(order, max(1, len(order) // batch)):
        data = to_device(tensors(corpus, chunk), device)
        cond = cond_of(data)
        mu, _ = model.encode(data, cond)
        bars = data["melody"].shape[1]
        live = (~pad_mask(cond.meter, bars)).float()
        sampled, _ = model._sample_bars(mu, cond, bars, 0.0, None, model._start(len(mu)))
        teacher = model.teacher_forced_predictions(data, cond, mu)
        for row, style_index in enumerate(data["style"].tolist()):
            style = STYLES[style_index].name
            for t, track in enumerate(TRACKS):
                if data["present"][row, t] == 0:
                    continue
                for mode, pred in (("teacher_forced", teacher), ("sampled", sampled)):
                    truth, guess = data[track][row], pred[track][row]
                    if track == "drums":
                        hits = ((guess > 0.5) == (truth > 0.5)).all(-1).float()
                        weight = live[row]
                    elif track == "chords":
                        hits, weight = (guess == truth).float(), torch.ones_like(truth, dtype=torch.float)
                    else:
                        hits, weight = (guess == truth).float(), live[row]
                    add(mode, track, style, hits, weight)
    table: dict[str, Any] = {}
    for (mode, track, style), (hit, total) in sorted(sums.items()):
        table.setdefault(style, {}).setdefault(track, {})[mode] = round(hit / max(total, 1), 4)
    return {"segments": len(order), "accuracy": table}


def evaluate_checkpoint(checkpoint: Path, datasets_dir: Path, cache_dir: Path, split: str = "valid",
                        limit: int = 600) -> dict[str, Any]:
    """Load a checkpoint and measure reconstruction on a held-out split of its training sources."""
    data = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = MusicVAE.from_checkpoint(data)
    sources = data.get("train_config", {}).get("sources")
    corpus = build_corpus(datasets_dir, cache_dir, *([tuple(sources)] if sources else []))
    held_out = corpus.subset(corpus.split == SPLITS.index(split))
    result = reconstruction(model, held_out, torch.device("cpu"), limit=limit)
    result.update({"checkpoint": str(checkpoint), "split": split,
                   "step": data.get("train_config", {}).get("step_reached")})
    return result
