"""The interface every generative model honours (after audiocraft's `BaseGenModel`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

ProgressCallback = Callable[[float], None]
"""Called with the fraction of the work done, 0..1."""


@dataclass
class Conditioning:
    """What a model is asked for, one row per sample: style, meter, key tonic and mode indices."""

    style: torch.Tensor
    meter: torch.Tensor
    tonic: torch.Tensor
    minor: torch.Tensor

    @classmethod
    def single(cls, style: int, meter: int, tonic: int, minor: bool, n: int = 1) -> Conditioning:
        def full(v: int) -> torch.Tensor:
            return torch.full((n,), v, dtype=torch.long)

        return cls(full(style), full(meter), full(tonic), full(int(minor)))

    def to(self, device: torch.device | str) -> Conditioning:
        return Conditioning(*(t.to(device) for t in (self.style, self.meter, self.tonic, self.minor)))

    def __len__(self) -> int:
        return int(self.style.shape[0])


@dataclass
class Generated:
    """Model output in the segment encoding (see engine.data.encoding), plus the latents used."""

    melody: torch.Tensor  # [n, bars, 16] tokens
    bass: torch.Tensor  # [n, bars, 16] tokens
    chords: torch.Tensor  # [n, bars, 2] tokens
    drums: torch.Tensor  # [n, bars, 16, 9] 0/1
    latent: torch.Tensor  # [n, sections, latent_dim]

    def row(self, i: int) -> Generated:
        return Generated(*(t[i:i + 1] for t in (self.melody, self.bass, self.chords, self.drums, self.latent)))


class BaseGenModel(nn.Module, ABC):
    """A conditional model of multi-track bars that can sample and continue."""

    name: str

    @abstractmethod
    def generate(self, cond: Conditioning, bars: int, *, temperature: float = 1.0,
                 generator: torch.Generator | None = None, latent: torch.Tensor | None = None,
                 progress: ProgressCallback | None = None) -> Generated:
        """Sample `len(cond)` pieces of `bars` bars (from `latent` [n, sections, d] when given)."""

    @abstractmethod
    def generate_continuation(self, prompt: Generated, cond: Conditioning, bars: int, *,
                              temperature: float = 1.0, generator: torch.Generator | None = None,
                              progress: ProgressCallback | None = None) -> Generated:
        """Sample `bars` new bars that follow `prompt` (the prompt itself is not returned)."""

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device
