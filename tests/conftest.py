"""Shared fixtures: one composer with the shipped checkpoint for the whole session."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture(scope="session")
def jsb_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the JSB chorales' segments (the smallest real source, ~10 s to build)."""
    from engine.data.dataset import build_corpus

    if not (get_settings().datasets_dir / "jsb").exists():
        pytest.skip("shared datasets not present")
    folder = tmp_path_factory.mktemp("cache")
    build_corpus(get_settings().datasets_dir, folder, ["jsb"])
    return folder
