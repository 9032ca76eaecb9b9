"""The JSB Chorales anchor: the VAE's bound on negative log-likelihood, in nats per frame, on the
published test split (Boulanger-Lewandowski et al. 2012), beside the published sequence models.

The bound is importance-weighted (Burda et al. 2016, K samples from the encoder), so it is an upper
bound on the model's true NLL, and tighter than the plain ELBO (K = 1), which is reported too.

What is modelled differs from the published figures, and the docs say so: those score the full
four-voice piano roll (88 binary units per quarter-note frame); Cadenza's encoding keeps the top
voice (melody), the bottom voice (bass), both on a 16th grid, and a chord symbol per half bar.
Per frame here means per quarter note (four 16th steps), the published frame rate. Segments are
the 8-bar windows of the data pipeline (hop 4 bars), so bars near a chorale's middle count twice.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..data.dataset import SPLITS, SegmentArrays, build_corpus, tensors
from ..data.encoding import METERS, SLOT
from ..models.base import pad_mask
from ..models.vae import MusicVAE
from ..training.common import cond_of

PUBLISHED = {"LSTM": 8.45, "GRU": 8.43, "TCN": 8.10}
"""Bai, Kolter & Koltun (2018), Table 1: NLL per frame on the JSB test split (four-voice piano roll)."""
STEPS_PER_FRAME = 4


@torch.no_grad()
def log_likelihood(model: MusicVAE, batch: dict[str, torch.Tensor], z: torch.Tensor) -> dict[str, torch.Tensor]:
    """log p(x | z) per segment and per track (melody, bass, chords) [B], padding steps left out."""
    b, bars, _ = batch["melody"].shape
    cond = cond_of(batch)
    logits = model.decode_logits(batch, cond, z)
    live = (~pad_mask(cond.meter, bars)).reshape(b * bars, SLOT).float()

    def tokens(name: str) -> torch.Tensor:
        logp = F.log_softmax(logits[name], -1).gather(-1, batch[name].reshape(b * bars, SLOT, 1)).squeeze(-1)
        return (logp * live).view(b, -1).sum(1)

    chords = batch["chords"].reshape(b * bars, 2)
    chord_logp = (F.log_softmax(logits["chord_first"], -1).gather(-1, chords[:, :1])
                  + F.log_softmax(logits["chord_second"], -1).gather(-1, chords[:, 1:])).view(b, -1).sum(1)
    sounds = model.melody_sounds_in(batch["melody"], cond).reshape(-1)
    sounds_logp = -F.binary_cross_entropy_with_logits(logits["melody_sounds"], sounds, reduction="none")
    return {"melody": tokens("melody") + sounds_logp.view(b, -1).sum(1), "bass": tokens("bass"), "chords": chord_logp}


def _log_normal(x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    return (-0.5 * (math.log(2 * math.pi) + logvar + (x - mu) ** 2 / logvar.exp())).sum(-1)


@torch.no_grad()
def nll_bound(model: MusicVAE, corpus: SegmentArrays, samples: int = 16, batch_size: int = 64,
              seed: int = 0) -> dict[str, Any]:
    """Importance-weighted and ELBO bounds, nats per quarter-note frame, over every segment of `corpus`."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    totals = {"iwae": 0.0, "elbo": 0.0, "kl": 0.0, "melody": 0.0, "bass": 0.0, "chords": 0.0}
    frames = 0
    for chunk in np.array_split(np.arange(len(corpus)), max(1, len(corpus) // batch_size)):
        batch = tensors(corpus, chunk)
        batch["present"][:, 3] = 0.0  # chorales have no drums
        cond = cond_of(batch)
        mu, logvar = model.encode(batch, cond)
        weights, elbo_terms = [], []
        for _ in range(samples):
            z = mu + torch.randn(mu.shape, generator=generator) * (0.5 * logvar).exp()
            parts = log_likelihood(model, batch, z)
            log_px = parts["melody"] + parts["bass"] + parts["chords"]
            log_pz = _log_normal(z, torch.zeros_like(z), torch.zeros_like(z))
            weights.append(log_px + log_pz - _log_normal(z, mu, logvar))
            for name in ("melody", "bass", "chords"):
                totals[name] -= float(parts[name].sum()) / samples
            elbo_terms.append(log_px)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(-1)
        iwae = torch.logsumexp(torch.stack(weights), 0) - math.log(samples)
        totals["iwae"] -= float(iwae.sum())
        totals["elbo"] -= float((torch.stack(elbo_terms).mean(0) - kl).sum())
        totals["kl"] += float(kl.sum())
        spb = torch.tensor([METERS[m].steps_per_bar for m in batch["meter"].tolist()])
        frames += int((spb * batch["melody"].shape[1]).sum()) // STEPS_PER_FRAME
    per_frame = {k: round(v / frames, 3) for k, v in totals.items()}
    return {"segments": len(corpus), "frames": frames, "samples": samples,
            "nats_per_frame": {"iwae_bound": per_frame["iwae"], "elbo_bound": per_frame["elbo"],
                               "kl": per_frame["kl"],
                               "reconstruction": {k: per_frame[k] for k in ("melody", "bass", "chords")}},
            "published": PUBLISHED}


def evaluate_checkpoint(checkpoint: Path, datasets_dir: Path, cache_dir: Path, samples: int = 16) -> dict[str, Any]:
    """The bound of a VAE checkpoint on the JSB test split."""
    model = MusicVAE.from_checkpoint(torch.load(checkpoint, map_location="cpu", weights_only=False))
    corpus = build_corpus(datasets_dir, cache_dir, ["jsb"])
    test = corpus.subset(corpus.split == SPLITS.index("test"))
    return {"checkpoint": str(checkpoint), "split": "test", **nll_bound(model, test, samples)}
