"""GAN training runs on the JSB chorales with a tiny generator: a fine-tune with the drums frozen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from engine.models.base import Conditioning
from engine.models.gan import GANConfig, MuseGAN
from engine.settings import get_settings
from engine.training.train_gan import GANTrainConfig, train_gan

TINY = GANConfig(shared_dim=4, private_dim=3, bar_dim=4, hidden=16, critic_channels=8)


def test_a_fine_tune_with_the_drums_frozen_changes_the_other_tracks_and_not_the_drums(tmp_path: Path,
                                                                                      jsb_cache: Path) -> None:
    cfg = GANTrainConfig(steps=3, critic_steps=1, batch_size=8, log_every=3, sources=("jsb",), model=TINY,
                         match_weight=1.0, repeat_weight=5.0)
    datasets = get_settings().datasets_dir
    first = train_gan(cfg, datasets, jsb_cache, tmp_path / "first.pt", torch.device("cpu"))
    tuned = train_gan(replace(cfg, resume=str(first), freeze_drums=True, critic_warmup=2), datasets, jsb_cache,
                      tmp_path / "tuned.pt", torch.device("cpu"))
    before, after = (MuseGAN.from_checkpoint(torch.load(p, weights_only=False)) for p in (first, tuned))
    cond = Conditioning.single(2, 0, 5, False, 4)
    z = torch.randn(4, TINY.latent_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        was, now = before.generator(z, cond), after.generator(z, cond)
    assert torch.equal(was["drums"], now["drums"])
    assert not torch.equal(was["chords"], now["chords"]) and not torch.equal(was["melody"], now["melody"])
