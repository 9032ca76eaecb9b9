"""Train and evaluate the style tagger: `cadenza train tagger`."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..data.dataset import SPLITS, SegmentArrays, build_corpus
from ..data.encoding import METERS
from ..mir.tagger import STYLE_NAMES, TAGGER_FEATURES, TEXTURES, StyleTagger, feature_vector, segment_views

log = logging.getLogger(__name__)
CACHE_VERSION = 1


def tagger_examples(corpus: SegmentArrays, per_style: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Feature rows for up to `per_style` segments of each style, in every texture each segment allows."""
    rng = np.random.default_rng(seed)
    rows: dict[str, list] = {"x": [], "y": [], "source": [], "split": [], "texture": []}
    for style in range(len(STYLE_NAMES)):
        idx = np.flatnonzero(corpus.style == style)
        for i in rng.permutation(idx)[:per_style]:
            present = tuple(bool(v) for v in corpus.present[i])
            views = segment_views(corpus.melody[i].astype(np.int64), corpus.chords[i].astype(np.int64),
                                  corpus.drums[i].astype(np.float32), METERS[int(corpus.meter[i])], present)
            for texture, view in views.items():
                rows["x"].append(feature_vector(view))
                rows["y"].append(style)
                rows["source"].append(corpus.source[i])
                rows["split"].append(corpus.split[i])
                rows["texture"].append(TEXTURES.index(texture))
    return {k: np.array(v) for k, v in rows.items()}


def fit(x: np.ndarray, y: np.ndarray, hidden: int = 64, epochs: int = 300, seed: int = 0) -> StyleTagger:
    """Full-batch training with class-balanced cross-entropy."""
    torch.manual_seed(seed)
    tagger = StyleTagger(hidden=hidden)
    xt, yt = torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64))
    tagger.mean.copy_(xt.mean(0))
    tagger.std.copy_(xt.std(0).clamp(min=1e-3))
    counts = torch.bincount(yt, minlength=len(STYLE_NAMES)).float().clamp(min=1)
    weight = counts.sum() / counts / len(STYLE_NAMES)
    opt = torch.optim.AdamW(tagger.parameters(), lr=3e-3, weight_decay=1e-3)
    tagger.train()
    for _ in range(epochs):
        loss = F.cross_entropy(tagger.logits(xt), yt, weight=weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return tagger.eval()


def calibrate(tagger: StyleTagger, x: np.ndarray, y: np.ndarray) -> float:
    """Fit the temperature that minimises held-out negative log-likelihood (grid search)."""
    with torch.no_grad():
        logits = tagger.logits(torch.from_numpy(x.astype(np.float32)))
    target = torch.from_numpy(y.astype(np.int64))
    grid = np.exp(np.linspace(np.log(0.3), np.log(5.0), 60))
    nll = [float(F.cross_entropy(logits / t, target)) for t in grid]
    best = float(grid[int(np.argmin(nll))])
    tagger.temperature.fill_(best)
    return best


def scores(tagger: StyleTagger, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Accuracy, per-style recall, confusion matrix (rows true, columns predicted), calibration error."""
    if len(y) == 0:
        return {"n": 0}
    p = tagger.probabilities(x)
    pred = p.argmax(1)
    confusion = np.zeros((len(STYLE_NAMES), len(STYLE_NAMES)), dtype=int)
    np.add.at(confusion, (y, pred), 1)
    conf, hit = p.max(1), (pred == y)
    bins = np.clip((conf * 10).astype(int), 0, 9)
    ece = sum(abs(hit[bins == b].mean() - conf[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())
    recall = {STYLE_NAMES[s]: round(float(hit[y == s].mean()), 3) for s in range(len(STYLE_NAMES)) if (y == s).any()}
    return {"n": int(len(y)), "accuracy": round(float(hit.mean()), 4), "recall": recall,
            "confusion": confusion.tolist(), "ece": round(float(ece), 4)}


def leave_one_source_out(data: dict[str, np.ndarray], hidden: int) -> dict[str, Any]:
    """For each source: train on every other source, test on it (its styles that others also teach)."""
    out = {}
    for source in sorted(set(data["source"].tolist())):
        held = data["source"] == source
        train = ~held & (data["split"] == SPLITS.index("train"))
        taught = set(data["y"][train].tolist())
        test = held & np.isin(data["y"], list(taught))
        if not test.any():
            continue
        tagger = fit(data["x"][train], data["y"][train], hidden)
        out[source] = scores(tagger, data["x"][test], data["y"][test])
    return out


def train_tagger(datasets_dir: Path, cache_dir: Path, out: Path, per_style: int = 1500,
                 hidden: int = 64) -> dict[str, Any]:
    """Build features (cached), train on the train split, calibrate and evaluate on held-out data."""
    started = time.time()
    cache = cache_dir / f"tagger-features-v{CACHE_VERSION}-{per_style}.npz"
    if cache.exists():
        with np.load(cache) as f:
            data = {k: f[k] for k in f.files}
    else:
        data = tagger_examples(build_corpus(datasets_dir, cache_dir), per_style)
        cache.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = data
        np.savez_compressed(cache, **arrays)
    log.info("tagger: %d feature rows in %.0f s", len(data["y"]), time.time() - started)
    train = data["split"] == SPLITS.index("train")
    held_out = ~train
    tagger = fit(data["x"][train], data["y"][train], hidden)
    temperature = calibrate(tagger, data["x"][held_out], data["y"][held_out])
    report: dict[str, Any] = {
        "styles": list(STYLE_NAMES), "features": list(TAGGER_FEATURES), "temperature": round(temperature, 3),
        "rows": {"train": int(train.sum()), "held_out": int(held_out.sum())},
        "held_out": scores(tagger, data["x"][held_out], data["y"][held_out]),
        "held_out_by_texture": {texture: scores(tagger, data["x"][held_out & (data["texture"] == t)],
                                                data["y"][held_out & (data["texture"] == t)])["accuracy"]
                                for t, texture in enumerate(TEXTURES)},
        "leave_one_source_out": leave_one_source_out(data, hidden),
        "seconds": round(time.time() - started, 1),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": tagger.state_dict(), "hidden": hidden, "features": list(TAGGER_FEATURES),
                "styles": list(STYLE_NAMES), "report": report}, out)
    out.with_suffix(".report.json").write_text(json.dumps(report, indent=1))
    return report
