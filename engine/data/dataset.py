"""Training segments: every piece cut into fixed-length windows of bars, cached as one .npz file,
served as tensors with random transposition and style-balanced sampling.

Each segment is labelled with the key its own notes and chords read as (`mir.key`, the key finder the
replies' tags use), not its piece's: a piece's key fits its 8-bar windows only about two times in three
(modulations, solos over changes, a key read off a whole song), and a model conditioned on such labels
learns a weak key conditioning that composition could not honour (docs/models.md, "Keys")."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..styles import STYLE_BY_NAME
from ..mir.key import find_key
from .encoding import (
    METERS,
    N_BASS,
    N_MELODY,
    PITCH0,
    encode,
    meter_index,
    segment_chroma,
    transpose_chords,
    transpose_tokens,
)
from .sources import SOURCES, Piece

log = logging.getLogger(__name__)
SEGMENT_BARS = 8
SPLITS = ("train", "valid", "test")


@dataclass
class SegmentArrays:
    """All segments of a corpus, stacked; `source`/`ident` let docs count and trace them."""

    melody: np.ndarray  # [N, bars, 16] int8
    bass: np.ndarray  # [N, bars, 16] int8
    chords: np.ndarray  # [N, bars, 2] int16
    drums: np.ndarray  # [N, bars, 16, 9] uint8
    meter: np.ndarray  # [N]
    style: np.ndarray  # [N]
    tonic: np.ndarray  # [N]
    minor: np.ndarray  # [N]
    present: np.ndarray  # [N, 4]
    split: np.ndarray  # [N] index into SPLITS
    source: np.ndarray  # [N] str
    ident: np.ndarray  # [N] str

    def __len__(self) -> int:
        return int(self.melody.shape[0])

    def subset(self, mask: np.ndarray) -> SegmentArrays:
        return SegmentArrays(**{k: v[mask] for k, v in vars(self).items()})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **vars(self))

    @classmethod
    def load(cls, path: Path) -> SegmentArrays:
        with np.load(path, allow_pickle=False) as data:
            return cls(**{k: data[k] for k in data.files})


def _windows(bars: int, length: int, hop: int) -> range:
    return range(0, bars - length + 1, hop)


def segments_of(pieces: Iterable[Piece], bars: int = SEGMENT_BARS) -> SegmentArrays:
    """Cut pieces into windows of `bars` bars (hop of half a window), dropping near-empty ones."""
    rows: dict[str, list] = {k: [] for k in SegmentArrays.__dataclass_fields__}
    for piece in pieces:
        if piece.score.meter not in METERS:
            continue
        seg = encode(piece.score, piece.present)
        spb = piece.score.meter.steps_per_bar
        for start in _windows(seg.bars, bars, max(1, bars // 2)):
            mel = seg.melody[start:start + bars]
            bass = seg.bass[start:start + bars]
            chords = seg.chords[start:start + bars]
            drums = seg.drums[start:start + bars]
            filled = [(mel >= PITCH0).sum() >= 8, (bass >= PITCH0).sum() >= 4,
                      (chords > 0).sum() >= bars, drums.sum() >= 16]
            present = np.array([p and f for p, f in zip(piece.present, filled, strict=True)], dtype=np.uint8)
            if not present.any():
                continue
            found = find_key(segment_chroma(mel[None], bass[None], chords[None], spb)[0])
            key = found.key if found else piece.score.key
            rows["melody"].append(mel.astype(np.int8))
            rows["bass"].append(bass.astype(np.int8))
            rows["chords"].append(chords.astype(np.int16))
            rows["drums"].append(drums.astype(np.uint8))
            rows["meter"].append(meter_index(piece.score.meter))
            rows["style"].append(STYLE_BY_NAME[piece.style].index)
            rows["tonic"].append(key.tonic if key else 0)
            rows["minor"].append(int(bool(key and key.is_minor)))
            rows["present"].append(present)
            rows["split"].append(SPLITS.index(piece.split))
            rows["source"].append(piece.source)
            rows["ident"].append(piece.ident)
    return SegmentArrays(**{k: np.array(v) if v else np.zeros((0,)) for k, v in rows.items()})


CACHE_VERSION = 3


def build_corpus(datasets_dir: Path, cache_dir: Path, sources: Iterable[str] = tuple(SOURCES)) -> SegmentArrays:
    """Segments of every named source, each read once and cached as `segments-vN-NAME.npz`."""
    parts = []
    for name in sources:
        cache = cache_dir / f"segments-v{CACHE_VERSION}-{name}.npz"
        if cache.exists():
            parts.append(SegmentArrays.load(cache))
            continue
        started = time.time()
        arrays = segments_of(SOURCES[name](datasets_dir))
        log.info("%s: %d segments in %.0f s", name, len(arrays), time.time() - started)
        arrays.save(cache)
        parts.append(arrays)
    return SegmentArrays(**{k: np.concatenate([getattr(p, k) for p in parts if len(p)])
                            for k in SegmentArrays.__dataclass_fields__})


def describe(corpus: SegmentArrays) -> dict[str, dict[str, int]]:
    """Segment counts per source and style (for docs/data.md)."""
    names = {s.index: s.name for s in STYLE_BY_NAME.values()}
    table: dict[str, dict[str, int]] = {}
    for (src, style), n in Counter(zip(corpus.source.tolist(), corpus.style.tolist(), strict=True)).items():
        table.setdefault(src, {})[names[int(style)]] = n
    return table


class SegmentBatches:
    """Random batches of training tensors, balanced across styles, transposed ±6 semitones."""

    def __init__(self, corpus: SegmentArrays, batch_size: int, augment: bool = True, seed: int = 0) -> None:
        self.corpus, self.batch_size, self.augment = corpus, batch_size, augment
        self.rng = np.random.default_rng(seed)
        counts = np.bincount(corpus.style, minlength=len(STYLE_BY_NAME))
        # Weight each segment so each style gets an equal share, tempered (sqrt) to keep big styles useful.
        weights = 1.0 / np.sqrt(np.maximum(counts[corpus.style], 1))
        self.p = weights / weights.sum()

    def sample(self) -> dict[str, torch.Tensor]:
        idx = self.rng.choice(len(self.corpus), size=self.batch_size, p=self.p)
        shift = (torch.from_numpy(self.rng.integers(-6, 6, size=len(idx))) if self.augment
                 else torch.zeros(len(idx), dtype=torch.long))
        return tensors(self.corpus, idx, shift)


def tensors(corpus: SegmentArrays, idx: np.ndarray, shift: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """The segments at `idx` as model inputs, transposed by `shift` semitones when given."""
    shift = shift if shift is not None else torch.zeros(len(idx), dtype=torch.long)
    return {
        "melody": transpose_tokens(torch.from_numpy(corpus.melody[idx]), shift, N_MELODY),
        "bass": transpose_tokens(torch.from_numpy(corpus.bass[idx]), shift, N_BASS),
        "chords": transpose_chords(torch.from_numpy(corpus.chords[idx].astype(np.int64)), shift),
        "drums": torch.from_numpy(corpus.drums[idx].astype(np.float32)),
        "meter": torch.from_numpy(corpus.meter[idx].astype(np.int64)),
        "style": torch.from_numpy(corpus.style[idx].astype(np.int64)),
        "tonic": (torch.from_numpy(corpus.tonic[idx].astype(np.int64)) + shift) % 12,
        "minor": torch.from_numpy(corpus.minor[idx].astype(np.int64)),
        "present": torch.from_numpy(corpus.present[idx].astype(np.float32)),
    }

