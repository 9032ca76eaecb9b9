"""The interface every generative model honours (after audiocraft's `BaseGenModel`)."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from ..data.encoding import METERS, N_BASS, N_MELODY, SLOT, transpose_chords, transpose_tokens

SECTION_WALK = 0.6
"""Angle (radians) between consecutive sections' latents as a piece goes on: how far it wanders."""


def walk(previous: torch.Tensor, fresh: torch.Tensor, angle: float = SECTION_WALK) -> torch.Tensor:
    """One step of the sections' random walk: turn `previous` by `angle` towards `fresh` noise."""
    return previous * math.cos(angle) + fresh * math.sin(angle)


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

    def cat(self, other: Conditioning) -> Conditioning:
        """These rows, then `other`'s."""
        return Conditioning(*(torch.cat([a, b]) for a, b in zip((self.style, self.meter, self.tonic, self.minor),
                                                              (other.style, other.meter, other.tonic, other.minor),
                                                              strict=True)))

    def take(self, n: int) -> Conditioning:
        """The first `n` rows."""
        return Conditioning(*(t[:n] for t in (self.style, self.meter, self.tonic, self.minor)))

    def __len__(self) -> int:
        return int(self.style.shape[0])


class ConditionEmbedding(nn.Module):
    """Style, meter, key tonic and mode as one vector."""

    dim = 32

    def __init__(self, n_styles: int) -> None:
        super().__init__()
        self.style = nn.Embedding(n_styles, 16)
        self.meter = nn.Embedding(len(METERS), 4)
        self.tonic = nn.Embedding(12, 8)
        self.minor = nn.Embedding(2, 4)

    def forward(self, c: Conditioning) -> torch.Tensor:
        return torch.cat([self.style(c.style), self.meter(c.meter), self.tonic(c.tonic), self.minor(c.minor)], -1)


def pad_mask(meter: torch.Tensor, bars: int) -> torch.Tensor:
    """True on steps beyond the end of the bar (3/4 and 6/8 use 12 of 16 slots): [B, bars, 16]."""
    spb = torch.tensor([m.steps_per_bar for m in METERS], device=meter.device)[meter]
    steps = torch.arange(SLOT, device=meter.device)
    return (steps.view(1, 1, -1) >= spb.view(-1, 1, 1)).expand(-1, bars, -1)


@dataclass
class Generated:
    """Model output in the segment encoding (see engine.data.encoding), plus the latents used."""

    melody: torch.Tensor  # [n, bars, 16] tokens
    bass: torch.Tensor  # [n, bars, 16] tokens
    chords: torch.Tensor  # [n, bars, 2] tokens
    drums: torch.Tensor  # [n, bars, 16, 9] 0/1
    latent: torch.Tensor  # [n, sections, latent_dim]

    def bar_range(self, start: int | None, stop: int | None = None) -> Generated:
        """Bars start..stop of every row (Python slice semantics); the latent is kept."""
        cut = slice(start, stop)
        return Generated(self.melody[:, cut], self.bass[:, cut], self.chords[:, cut], self.drums[:, cut], self.latent)

    def sections(self, bars: int) -> list[dict[str, torch.Tensor]]:
        """The tracks cut into consecutive sections of `bars` bars (the last may be shorter)."""
        total = int(self.melody.shape[1])
        return [{k: getattr(self, k)[:, s:s + bars] for k in ("melody", "bass", "chords", "drums")}
                for s in range(0, total, bars)]

    def row(self, i: int) -> Generated:
        return Generated(*(t[i:i + 1] for t in (self.melody, self.bass, self.chords, self.drums, self.latent)))

    def transposed(self, semitones: int) -> Generated:
        """Every row moved by `semitones` (notes leaving a track's range fold back by an octave)."""
        shift = torch.full((int(self.melody.shape[0]),), semitones, dtype=torch.long)
        return Generated(transpose_tokens(self.melody, shift, N_MELODY), transpose_tokens(self.bass, shift, N_BASS),
                         transpose_chords(self.chords, shift), self.drums, self.latent)


class BaseGenModel(nn.Module, ABC):
    """A conditional model of multi-track bars that can sample and continue."""

    name: str
    trained_on: tuple[str, ...] = ()
    """The dataset sources its checkpoint was trained on (set when loaded; empty for an untrained model)."""

    @abstractmethod
    def generate(self, cond: Conditioning, bars: int, *, temperature: float = 1.0,
                 generator: torch.Generator | None = None, latent: torch.Tensor | None = None,
                 progress: ProgressCallback | None = None, ends: torch.Tensor | None = None) -> Generated:
        """Sample `len(cond)` pieces of `bars` bars (from `latent` [n, sections, d] when given); `ends` [n] bool:
        the rows whose last bar ends a piece (default all; both models lean their last chord home)."""

    @abstractmethod
    def sample_latents(self, n: int, bars: int, generator: torch.Generator | None, scale: float) -> torch.Tensor:
        """Latents [n, sections, d] for a piece of `bars` bars, drawn from the prior scaled by `scale`
        (below 1: nearer its centre, where the model writes its most typical music)."""

    def sample(self, cond: Conditioning, bars: int, *, latent_scale: float, temperature: float = 0.9,
               generator: torch.Generator | None = None) -> Generated:
        """`generate` from latents drawn at `latent_scale`, the notes sampled at `temperature`."""
        latent = self.sample_latents(len(cond), bars, generator, latent_scale)
        return self.generate(cond, bars, temperature=temperature, generator=generator, latent=latent)

    @abstractmethod
    def embed(self, piece: Generated, cond: Conditioning) -> torch.Tensor:
        """Latents [n, sections, d] from which the model would write `piece` again (one per section)."""

    @abstractmethod
    def generate_continuation(self, prompt: Generated, cond: Conditioning, bars: int, *,
                              temperature: float = 1.0, latent_scale: float = 1.0,
                              generator: torch.Generator | None = None,
                              progress: ProgressCallback | None = None) -> Generated:
        """Sample `bars` new bars that follow `prompt` (the prompt itself is not returned), the fresh latents
        drawn at `latent_scale`. A one-row prompt is continued once for every row of `cond`, embedded once
        (under the first row's condition)."""

    @property
    @abstractmethod
    def latent_dim(self) -> int:
        """Size of one section's latent."""

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device
