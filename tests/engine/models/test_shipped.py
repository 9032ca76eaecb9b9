"""The shipped checkpoint loads and writes plausible music in every style."""

from __future__ import annotations

import pytest
import torch

from engine.compose import Composer
from engine.data.encoding import PITCH0
from engine.models.base import Conditioning
from engine.models.registry import load_model
from engine.styles import STYLES


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.name)
def test_shipped_vae_samples_every_style(composer: Composer, style) -> None:  # type: ignore[no-untyped-def]
    model = load_model("vae", composer.settings.checkpoint_dir, composer.device)
    out = model.generate(Conditioning.single(style.index, 0, 0, False, 2), 8,
                         generator=torch.Generator().manual_seed(1))
    notes_per_bar = (out.melody >= PITCH0).sum(dim=(1, 2)).float() / 8
    assert (notes_per_bar >= 1).all(), f"{style.name}: melody nearly silent"
    assert (notes_per_bar <= 16).all()
    assert (out.chords > 0).float().mean() > 0.8, f"{style.name}: chords mostly missing"
