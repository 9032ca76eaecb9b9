"""`cadenza train`: reproduce a checkpoint from the datasets."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import Result, json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="reproduce a checkpoint from the datasets")
    p.add_argument("what", choices=["vae", "gan", "tagger", "track-priors"],
                   help="track-priors: fit the VAE's drum and bass priors into a checkpoint (--resume)")
    p.add_argument("--steps", type=int, default=None, help="optimiser steps (default: the shipped run's)")
    p.add_argument("--minutes", type=float, default=0.0, help="stop after this long (0 = no limit)")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--sources", default=None, help="comma-separated dataset names (default: all)")
    p.add_argument("--out", type=Path, default=None, help="checkpoint path (default: checkpoints/WHAT.pt)")
    p.add_argument("--tiny", action="store_true", help="a tiny debug model (for tests)")
    p.add_argument("--resume", type=Path, help="go on from this checkpoint (vae, gan, track-priors)")
    p.add_argument("--min-lr", type=float, default=None,
                   help="floor of the decaying learning rate (vae; a resumed run past the decay trains at it)")
    p.add_argument("--match-weight", type=float, default=None,
                   help="weight of the per-style feature matching in the generator's loss (gan)")
    p.add_argument("--repeat-weight", type=float, default=None,
                   help="weight of the chord-repeat share within the feature matching (gan; default 1)")
    p.add_argument("--freeze-drums", action="store_true",
                   help="train only what the drums do not read, so they stay as they were (gan, with --resume)")
    p.add_argument("--critic-warmup", type=int, default=None,
                   help="critic steps before the first generator step, for a resumed generator (gan)")
    json_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Result:
    import torch

    from engine.settings import get_settings

    settings = get_settings()
    torch.set_num_threads(max(1, settings.torch_threads))
    train = {"tagger": _train_tagger, "gan": _train_gan, "vae": _train_vae, "track-priors": _track_priors}[args.what]
    return train(args, settings)


def _override(cfg: Any, args: argparse.Namespace) -> None:
    """The run options every model's training config shares: steps, batch size, sources."""
    if args.steps:
        cfg.steps = args.steps
    if args.batch_size:
        cfg.batch_size = args.batch_size
    if args.sources:
        cfg.sources = tuple(s.strip() for s in args.sources.split(","))


def _wrote(out: Path) -> Result:
    return {"checkpoint": str(out), "log": str(out.with_suffix(".log.jsonl"))}, lambda r: f"wrote {r['checkpoint']}"


def _train_vae(args: argparse.Namespace, settings: Any) -> Result:
    from engine.models.vae import VAEConfig
    from engine.training.train_vae import TrainConfig, train_vae

    cfg = TrainConfig(max_minutes=args.minutes, resume=str(args.resume) if args.resume else None)
    _override(cfg, args)
    if args.min_lr:
        cfg.min_lr = args.min_lr
    if args.tiny:
        cfg.model = VAEConfig(latent_dim=8, enc_hidden=16, conductor_hidden=16, melody_hidden=16,
                              bass_hidden=8, drums_hidden=8, ctx_dim=8)
        cfg.eval_every = max(1, cfg.steps // 2)
    out = args.out or settings.checkpoint_dir / "vae.pt"
    train_vae(cfg, settings.datasets_dir, settings.cache_dir, out)
    return _wrote(out)


def _track_priors(args: argparse.Namespace, settings: Any) -> Result:
    from engine.training.track_priors import add_track_priors

    source = args.resume or settings.checkpoint_dir / "vae.pt"
    out = args.out or source
    report = add_track_priors(source, out, settings.datasets_dir, settings.cache_dir)
    return ({"checkpoint": str(out), "priors": report},
            lambda r: f"wrote {r['checkpoint']}\n" + "\n".join(
                f"{prior} {cell}: {v['from']} ({v['segments']})" for prior, cells in r["priors"].items()
                for cell, v in cells.items()))


def _train_tagger(args: argparse.Namespace, settings: Any) -> Result:
    from engine.training.train_tagger import train_tagger

    out = args.out or settings.checkpoint_dir / "tagger.pt"
    report = train_tagger(settings.datasets_dir, settings.cache_dir, out)
    summary = {"checkpoint": str(out), "held_out_accuracy": report["held_out"]["accuracy"],
               "leave_one_source_out": {k: v["accuracy"] for k, v in report["leave_one_source_out"].items()}}
    return summary, lambda r: f"wrote {r['checkpoint']} (held-out accuracy {r['held_out_accuracy']})"


def _train_gan(args: argparse.Namespace, settings: Any) -> Result:
    from engine.models.gan import GANConfig
    from engine.training.train_gan import GANTrainConfig, train_gan

    cfg = GANTrainConfig(max_minutes=args.minutes, resume=str(args.resume) if args.resume else None)
    _override(cfg, args)
    if args.match_weight is not None:
        cfg.match_weight = args.match_weight
    if args.critic_warmup is not None:
        cfg.critic_warmup = args.critic_warmup
    if args.repeat_weight is not None:
        cfg.repeat_weight = args.repeat_weight
    cfg.freeze_drums = args.freeze_drums
    if args.tiny:
        cfg.model = GANConfig(shared_dim=4, private_dim=2, bar_dim=4, hidden=8, critic_channels=8)
        cfg.critic_steps, cfg.log_every = 1, max(1, cfg.steps // 2)
    out = args.out or settings.checkpoint_dir / "gan.pt"
    train_gan(cfg, settings.datasets_dir, settings.cache_dir, out)
    return _wrote(out)
