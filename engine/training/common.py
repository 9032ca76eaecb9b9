"""What every training script shares: device choice, batches on the device, half-precision checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ..models.base import Conditioning

DEFAULT_SOURCES = ("pop909", "nottingham", "jsb", "groove", "openewld", "rs200")
"""The sources a fresh training run reads unless told otherwise (the first session's six)."""


def pick_device(name: str = "auto") -> torch.device:
    """CUDA when present (or asked for), else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def cond_of(batch: dict[str, torch.Tensor]) -> Conditioning:
    return Conditioning(batch["style"], batch["meter"], batch["tonic"], batch["minor"])


def to_device(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    return {k: v.to(device) for k, v in batch.items()}


def warm_start(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> list[str]:
    """Load saved weights into a model whose layers may have grown inputs since (resumed training).

    A tensor that grew keeps its saved values in its leading slice and zeros in the new part, so the
    model starts out computing what the saved one did. Returns the names of the tensors that grew."""
    own = model.state_dict()
    grown = []
    for name, saved in state.items():
        target = own[name]
        if target.shape != saved.shape:
            if target.dim() != saved.dim() or any(t < s for t, s in zip(target.shape, saved.shape, strict=True)):
                raise ValueError(f"{name}: saved shape {tuple(saved.shape)} does not fit {tuple(target.shape)}")
            grown.append(name)
            target.zero_()
            target[tuple(slice(0, n) for n in saved.shape)] = saved
        else:
            target.copy_(saved)
    model.load_state_dict(own)
    return grown


def save_checkpoint(data: dict[str, Any], train_config: dict[str, Any], out: Path) -> None:
    """Write a model's checkpoint dict with weights in half precision and its training config (atomically)."""
    data = {**data, "train_config": train_config,
            "state_dict": {k: v.detach().cpu().half() if v.is_floating_point() else v.cpu()
                           for k, v in data["state_dict"].items()}}
    tmp = out.with_suffix(".tmp")
    torch.save(data, tmp)
    tmp.replace(out)
