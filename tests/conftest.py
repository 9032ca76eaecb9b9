"""Shared fixtures: one composer with the shipped checkpoint for the whole session."""

from __future__ import annotations

import pytest
import torch

from engine.compose import Composer
from engine.settings import get_settings

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def composer() -> Composer:
    settings = get_settings()
    assert (settings.checkpoint_dir / "vae.pt").exists(), "the shipped VAE checkpoint is missing"
    return Composer(settings)
