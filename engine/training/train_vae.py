"""Train the VAE: `cadenza train vae` reproduces the shipped checkpoint from the datasets."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..data.dataset import SPLITS, SegmentArrays, SegmentBatches, build_corpus, tensors
from ..models.vae import MusicVAE, VAEConfig
from .common import DEFAULT_SOURCES, cond_of, pick_device, save_checkpoint, to_device, warm_start
from .track_priors import with_track_priors

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """Everything that decides a training run (recorded in the checkpoint and its log)."""

    steps: int = 9000
    batch_size: int = 64
    lr: float = 1e-3
    lr_decay: float = 0.99975
    min_lr: float = 1e-4
    beta: float = 0.2
    beta_warmup: int = 3000
    max_minutes: float = 0.0
    """Stop early after this many minutes (0 = no limit); the checkpoint records the step reached."""
    seed: int = 0
    eval_every: int = 250
    sources: tuple[str, ...] = DEFAULT_SOURCES
    model: VAEConfig = field(default_factory=VAEConfig)
    resume: str | None = None
    """A checkpoint to go on from: its weights, at the step it reached (the optimiser starts afresh; the
    learning rate and KL weight are those of that step). The log is appended to."""


@torch.no_grad()
def evaluate(model: MusicVAE, corpus: SegmentArrays, device: torch.device, limit: int = 512) -> dict[str, float]:
    """Teacher-forced losses and accuracies on (up to `limit`) segments, latent = posterior mean."""
    model.eval()
    idx = np.arange(min(limit, len(corpus)))
    totals: dict[str, float] = {}
    for chunk in np.array_split(idx, max(1, len(idx) // 128)):
        batch = to_device(tensors(corpus, chunk), device)
        cond = cond_of(batch)
        mu, logvar = model.encode(batch, cond)
        out = model._decode_losses(batch, cond, mu, mu, logvar, beta=0.0)
        for k, v in out.items():
            totals[k] = totals.get(k, 0.0) + float(v) * len(chunk)
    model.train()
    return {k: v / len(idx) for k, v in totals.items()}


def train_vae(cfg: TrainConfig, datasets_dir: Path, cache_dir: Path, out: Path,
              device: torch.device | None = None) -> Path:
    """Train, writing `out` (checkpoint) and `out.with_suffix('.log.jsonl')` (one line per eval)."""
    torch.manual_seed(cfg.seed)
    device = device or pick_device()
    corpus = build_corpus(datasets_dir, cache_dir, cfg.sources)
    train = corpus.subset(corpus.split == SPLITS.index("train"))
    valid = corpus.subset(corpus.split == SPLITS.index("valid"))
    valid = valid.subset(np.random.default_rng(0).permutation(len(valid)))
    model = MusicVAE(cfg.model).to(device)
    first_step, history = 1, []
    if cfg.resume:
        data = torch.load(cfg.resume, map_location="cpu", weights_only=False)
        cfg.model = VAEConfig(**data["config"])
        model = MusicVAE(cfg.model)
        grown = warm_start(model, data["state_dict"])
        model = model.to(device).train()
        if grown:
            log.info("grown since the checkpoint, new inputs start at zero: %s", ", ".join(grown))
        first_step = int(data["train_config"]["step_reached"]) + 1
        history = [*data["train_config"].get("history", []), {k: v for k, v in data["train_config"].items()
                                                              if k not in ("history", "model")}]
    log.info("VAE with %d parameters, %d train / %d valid segments, on %s",
             sum(p.numel() for p in model.parameters()), len(train), len(valid), device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: max(cfg.lr_decay ** (s + first_step - 1), cfg.min_lr / cfg.lr))
    batches = SegmentBatches(train, cfg.batch_size, augment=True, seed=cfg.seed)
    log_path = out.with_suffix(".log.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    running: dict[str, float] = {}
    with log_path.open("a" if cfg.resume else "w") as log_file:
        step = first_step - 1  # the step reached, should the run have none left to take
        for step in range(first_step, cfg.steps + 1):
            batch = to_device(batches.sample(), device)
            beta = cfg.beta * min(1.0, step / max(1, cfg.beta_warmup))
            losses = model(batch, cond_of(batch), beta=beta)
            opt.zero_grad()
            losses["loss"].backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            for k, v in losses.items():
                running[k] = 0.98 * running.get(k, v.item()) + 0.02 * v.item()
            out_of_time = cfg.max_minutes > 0 and time.time() - started > cfg.max_minutes * 60
            if step % cfg.eval_every == 0 or step == cfg.steps or out_of_time:
                valid_metrics = evaluate(model, valid, device)
                record = {"step": step, "minutes": round((time.time() - started) / 60, 2),
                          "lr": sched.get_last_lr()[0], "beta": beta,
                          "train": {k: round(v, 4) for k, v in running.items()},
                          "valid": {k: round(v, 4) for k, v in valid_metrics.items()}}
                log_file.write(json.dumps(record) + "\n")
                log_file.flush()
                log.info("step %d  train loss %.3f  valid recon %.3f  melody acc %.3f",
                         step, running["loss"], valid_metrics["recon"], valid_metrics["melody_acc"])
                save_checkpoint(model.checkpoint(), {**asdict(cfg), "model": asdict(cfg.model), "step_reached": step,
                                                     "history": history}, out)
            if out_of_time:
                break
    model, report = with_track_priors(model.eval(), corpus)
    cfg.model = model.config
    save_checkpoint(model.checkpoint(), {**asdict(cfg), "model": asdict(cfg.model), "step_reached": step,
                                         "history": history, "track_priors": report}, out)
    log.info("track priors fitted: %s", report)
    return out
