"""Loading the shipped checkpoints, once per process."""

from __future__ import annotations

import threading
from pathlib import Path

import torch

from ..mir.tagger import StyleTagger, load_tagger
from .base import BaseGenModel
from .gan import MuseGAN
from .vae import MusicVAE

CHECKPOINT_FILES = {"vae": "vae.pt", "gan": "gan.pt"}
MODEL_CLASSES: dict[str, type[MusicVAE] | type[MuseGAN]] = {"vae": MusicVAE, "gan": MuseGAN}
TAGGER_FILE = "tagger.pt"
_LOADED: dict[tuple[str, str, str], BaseGenModel] = {}
_LOCK = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The checkpoint for a model is missing."""


def load_model(name: str, checkpoint_dir: Path, device: torch.device) -> BaseGenModel:
    """The named model from `checkpoint_dir`, loaded on first use and kept."""
    key = (name, str(checkpoint_dir), str(device))
    with _LOCK:
        if key not in _LOADED:
            if name not in CHECKPOINT_FILES:
                raise ModelUnavailable(f"model '{name}' is not available yet; use one of {sorted(CHECKPOINT_FILES)}")
            path = checkpoint_dir / CHECKPOINT_FILES[name]
            if not path.exists():
                raise ModelUnavailable(f"checkpoint {path} is missing; run `cadenza train {name}`")
            data = torch.load(path, map_location="cpu", weights_only=False)
            model = MODEL_CLASSES[name].from_checkpoint(data).to(device)
            model.trained_on = tuple(data.get("train_config", {}).get("sources", ()))
            _LOADED[key] = model
        return _LOADED[key]


_TAGGERS: dict[str, StyleTagger | None] = {}


def load_style_tagger(checkpoint_dir: Path) -> StyleTagger | None:
    """The shipped style tagger, or None when it has not been trained (`cadenza train tagger`)."""
    key = str(checkpoint_dir)
    with _LOCK:
        if key not in _TAGGERS:
            path = checkpoint_dir / TAGGER_FILE
            _TAGGERS[key] = load_tagger(torch.load(path, map_location="cpu", weights_only=False)) \
                if path.exists() else None
        return _TAGGERS[key]
