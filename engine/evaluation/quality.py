"""Quality metrics on the token encoding: MuseGAN's and muspy's, side by side with the training data.

The same code measures model output (`Generated`) and training segments (`SegmentArrays`), both as
`Pieces`: token arrays of one meter cut to the bar's real steps, with a `present` flag per track.
Per-track metrics read only the segments that have the track; a style whose data lacks a track
(jazz has no bass) gets None there. Generated pieces are measured in 8-bar sections, like the data.

MuseGAN's metrics (Dong et al., AAAI 2018), adapted to a 16th-note grid:
- empty bars %: bars in which the track sounds nothing (notes held over the bar line count as sound;
  chords: both half bars without a chord; drums: no hit);
- used pitch classes per bar: distinct pitch classes sounding in a bar, over non-empty bars (chords:
  the chord tones of the bar's two chords);
- qualified notes %: MuseGAN's notes of at least 3 of its 96 steps per bar (a 32nd). Our shortest
  note is one 16th (6 of those steps), so it is 100% by construction; `qualified_notes_8th_pct` is a
  stricter stand-in: the share of notes lasting at least an 8th (two steps);
- drum pattern %: MuseGAN's share of hits on an 8- or 16-beat pattern is satisfied by construction
  on a 16th grid, so here it is the share of drum hits on 8th-note positions (even steps);
- tonal distance: per bar, the Euclidean distance between two tracks' tonal centroids (Harte et al.
  2006, 6-D, from each track's chroma weighted by sounding steps), over bars where both sound.

muspy's metrics (Dong et al., ISMIR 2020), per 8-bar segment over the pitched tracks it has:
- pitch-class entropy: Shannon entropy (bits) of the pitch-class histogram of note onsets (a chord
  counts each of its tones once each time it changes), as muspy counts notes, not durations;
- scale consistency: the largest share of those notes inside one of the 24 major/natural-minor scales;
- polyphony: mean number of distinct pitches sounding at steps where at least one sounds (chord tones
  voiced as one octave, MIDI 60-71);
- groove consistency: 1 - mean Hamming distance between consecutive bars' onset patterns (onsets of
  every track, drums included), divided by the steps per bar.

Multi-track metrics read each data segment's present tracks; generated pieces are measured with each
of the data's track combinations in turn, weighted by how often the data has it, so both sides see
the same textures. "Within 25%": |generated - data| <= 0.25 |data|, or for percentages within 1 point.
Novelty: the share of generated 4-bar melody windows (at least 4 onsets; each
note as onset step, length, pitch minus the window's first pitch, so transposition-invariant) that
no window of the training split's melodies (all six sources) matches.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..data.dataset import SEGMENT_BARS, SPLITS, SegmentArrays, build_corpus
from ..data.encoding import (
    BASS_RANGE,
    CHORD_CHROMA,
    HOLD,
    MELODY_RANGE,
    METERS,
    PITCH0,
    SLOT,
    TRACKS,
    chord_bar_chroma,
    sounding,
    track_bar_chroma,
)
from ..models.base import BaseGenModel, Conditioning, Generated
from ..music.score import MODE_SCALES, Meter
from ..settings import Settings, get_settings
from ..styles import get_style
from ..training.common import DEFAULT_SOURCES

PITCHED = ("melody", "bass")
PAIRS = (("melody", "chords"), ("melody", "bass"), ("bass", "chords"))
OFFSET = {"melody": MELODY_RANGE[0], "bass": BASS_RANGE[0]}
TICKS_PER_STEP = 96 // SLOT
"""MuseGAN's grid has 96 steps per 4/4 bar; one of our 16th steps is 6 of them."""
QUALIFIED_TICKS = 3
CHORD_OCTAVE = 60
WINDOW_BARS, MIN_WINDOW_NOTES = 4, 4
TOLERANCE = 0.25
PCT_POINTS = 1.0
"""A percentage within this many points of the data's also counts as within 25% (see `within`)."""
METER_44 = METERS.index(Meter(4, 4))

_SCALES = np.array([np.roll(np.isin(np.arange(12), steps), root)
                    for steps in (MODE_SCALES["major"], MODE_SCALES["minor"]) for root in range(12)], dtype=float)
_ANGLES, _RADII = (7 * math.pi / 6, 3 * math.pi / 2, 2 * math.pi / 3), (1.0, 1.0, 0.5)
_PHI = np.array([[f(pc * a) * r for a, r in zip(_ANGLES, _RADII, strict=True) for f in (math.sin, math.cos)]
                 for pc in range(12)])


@dataclass
class Pieces:
    """Segments of one meter as token arrays cut to the bar's `spb` real steps; `present` per TRACKS."""

    melody: np.ndarray  # [n, bars, spb] tokens
    bass: np.ndarray  # [n, bars, spb] tokens
    chords: np.ndarray  # [n, bars, 2] tokens
    drums: np.ndarray  # [n, bars, spb, 9] bool
    present: np.ndarray  # [n, 4] bool

    @classmethod
    def of(cls, melody: np.ndarray, bass: np.ndarray, chords: np.ndarray, drums: np.ndarray, spb: int = SLOT,
           present: np.ndarray | None = None) -> Pieces:
        """From slot-shaped arrays (16 steps per bar); the steps past `spb` (padding) are dropped."""
        n = melody.shape[0]
        flags = np.ones((n, len(TRACKS)), dtype=bool) if present is None else np.asarray(present).astype(bool)
        return cls(np.asarray(melody)[:, :, :spb].astype(np.int64), np.asarray(bass)[:, :, :spb].astype(np.int64),
                   np.asarray(chords).astype(np.int64), np.asarray(drums)[:, :, :spb] > 0.5, flags)

    @classmethod
    def from_generated(cls, gen: Generated, meter: Meter = METERS[METER_44]) -> Pieces:
        """Model output (every track present)."""
        return cls.of(gen.melody.numpy(), gen.bass.numpy(), gen.chords.numpy(), gen.drums.numpy(), meter.steps_per_bar)

    @classmethod
    def from_segments(cls, seg: SegmentArrays, meter: int = METER_44) -> Pieces:
        """The training segments of one meter, with their present flags."""
        keep = seg.meter == meter
        return cls.of(seg.melody[keep], seg.bass[keep], seg.chords[keep], seg.drums[keep],
                      METERS[meter].steps_per_bar, seg.present[keep])

    @property
    def n(self) -> int:
        return int(self.melody.shape[0])

    @property
    def bars(self) -> int:
        return int(self.melody.shape[1])

    @property
    def spb(self) -> int:
        return int(self.melody.shape[2])

    def sections(self, bars: int = SEGMENT_BARS) -> Pieces:
        """Each piece cut into consecutive sections of `bars` bars (a shorter remainder is dropped)."""
        k = max(1, self.bars // bars)
        size = min(bars, self.bars)

        def cut(a: np.ndarray) -> np.ndarray:
            return a[:, :k * size].reshape(self.n * k, size, *a.shape[2:])

        return Pieces(cut(self.melody), cut(self.bass), cut(self.chords), cut(self.drums),
                      np.repeat(self.present, k, axis=0))


# ---------------------------------------------------------------------------------------- token views

def _rows(a: np.ndarray) -> np.ndarray:
    """One row per piece, its steps run together (also for no pieces)."""
    return a.reshape(a.shape[0], int(np.prod(a.shape[1:])))


def notes(tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every note as (row, start step, length in steps, pitch token), steps counted across the piece."""
    flat = _rows(tokens)
    length = flat.shape[1]
    pos = np.where(flat != HOLD, np.arange(length), length)
    after = np.concatenate([pos[:, 1:], np.full((flat.shape[0], 1), length)], axis=1)
    next_change = np.minimum.accumulate(after[:, ::-1], axis=1)[:, ::-1]
    rows, starts = np.nonzero(flat >= PITCH0)
    return rows, starts, next_change[rows, starts] - starts, flat[rows, starts]


def chord_steps(chords: np.ndarray, spb: int) -> np.ndarray:
    """The chord token at each step [n, bars, spb] from the two per bar."""
    return np.repeat(chords, [spb // 2, spb - spb // 2], axis=-1)


def chord_onsets(steps: np.ndarray) -> np.ndarray:
    """True where a chord starts: a step whose chord differs from the step before (across bars)."""
    flat = _rows(steps)
    before = np.concatenate([np.zeros((flat.shape[0], 1), dtype=flat.dtype), flat[:, :-1]], axis=1)
    return ((flat > 0) & (flat != before)).reshape(steps.shape)


def pitch_classes(tokens: np.ndarray, track: str) -> np.ndarray:
    """Pitch class of each pitch token of a melody or bass track (meaningless where tokens < PITCH0)."""
    return (OFFSET[track] + tokens - PITCH0) % 12


def bar_chroma(p: Pieces, track: str) -> np.ndarray:
    """Sounding steps per pitch class in each bar [n, bars, 12]."""
    return chord_bar_chroma(p.chords, p.spb) if track == "chords" else track_bar_chroma(getattr(p, track),
                                                                                        OFFSET[track])


def tonal_centroid(chroma: np.ndarray) -> np.ndarray:
    """Harte et al.'s 6-D tonal centroid of chroma vectors [..., 12] (zero for silence)."""
    total = chroma.sum(axis=-1, keepdims=True)
    return (chroma / np.maximum(total, 1e-12)) @ _PHI


# ---------------------------------------------------------------------------------------- per track

def _mean(values: np.ndarray, scale: float = 1.0) -> float | None:
    return float(values.mean()) * scale if values.size else None


def empty_bars_pct(p: Pieces, track: str) -> float | None:
    """Share of bars (of segments with the track) in which the track sounds nothing, in %."""
    has = p.present[:, TRACKS.index(track)]
    filled = np.asarray(p.drums.any(axis=(2, 3)) if track == "drums" else bar_chroma(p, track).sum(axis=-1) > 0)
    return _mean(~filled[has], 100.0)


def used_pitch_classes(p: Pieces, track: str) -> float | None:
    """Mean number of distinct pitch classes sounding per non-empty bar (chords: the chord tones)."""
    has = p.present[:, TRACKS.index(track)]
    used = (bar_chroma(p, track) > 0).sum(axis=-1)[has]
    return _mean(used[used > 0])


def qualified_notes_pct(p: Pieces, track: str, min_steps: int | None = None) -> float | None:
    """Share of notes (in %) of at least MuseGAN's 3/96 of a bar; 100 by construction on a 16th grid.

    With `min_steps`, the share of notes at least that many 16th steps long instead."""
    has = p.present[:, TRACKS.index(track)]
    rows, _, lengths, _ = notes(getattr(p, track))
    lengths = lengths[has[rows]]
    ok = lengths >= min_steps if min_steps is not None else lengths * TICKS_PER_STEP >= QUALIFIED_TICKS
    return _mean(ok, 100.0)


def drum_pattern_pct(p: Pieces) -> float | None:
    """Share of drum hits (in %) on 8th-note positions, MuseGAN's drum pattern adapted to a 16th grid."""
    hits = p.drums[p.present[:, TRACKS.index("drums")]]
    total = int(hits.sum())
    return 100.0 * float(hits[:, :, 0::2].sum()) / total if total else None


def distinct_chords(p: Pieces) -> float | None:
    """Mean number of distinct chord symbols (half-bar chords, "none" left out) per segment: harmonic variety."""
    chords = p.chords[p.present[:, TRACKS.index("chords")]]
    return _mean(np.array([len(set(c.ravel().tolist()) - {0}) for c in chords], dtype=float))


def repeated_bars_pct(p: Pieces) -> float | None:
    """Share of bars (in %) whose chords are exactly the previous bar's: a loop rather than a progression."""
    chords = p.chords[p.present[:, TRACKS.index("chords")]]
    return _mean((chords[:, 1:] == chords[:, :-1]).all(axis=-1), 100.0)


def tonal_distance(p: Pieces, a: str, b: str) -> float | None:
    """Mean per-bar distance between two tracks' tonal centroids, over bars where both sound."""
    both = p.present[:, TRACKS.index(a)] & p.present[:, TRACKS.index(b)]
    ca, cb = bar_chroma(p, a)[both], bar_chroma(p, b)[both]
    live = (ca.sum(axis=-1) > 0) & (cb.sum(axis=-1) > 0)
    return _mean(np.linalg.norm(tonal_centroid(ca[live]) - tonal_centroid(cb[live]), axis=-1))


# ---------------------------------------------------------------------------------------- per segment

def _use(p: Pieces, use: np.ndarray | None) -> np.ndarray:
    """Per segment and track, whether a multi-track metric reads it: present, and in `use` if given."""
    return p.present if use is None else p.present & np.broadcast_to(np.asarray(use, dtype=bool), p.present.shape)


def pitch_class_histogram(p: Pieces, use: np.ndarray | None = None) -> np.ndarray:
    """Onsets per pitch class in each segment [n, 12]: melody and bass notes, chord tones per chord."""
    flags = _use(p, use)
    hist = np.zeros((p.n, 12), dtype=np.int64)
    for t, track in enumerate(PITCHED):
        rows, _, _, toks = notes(getattr(p, track))
        keep = flags[rows, t]
        np.add.at(hist, (rows[keep], pitch_classes(toks[keep], track)), 1)
    steps = chord_steps(p.chords, p.spb)
    starts = _rows(np.where(chord_onsets(steps), steps, 0))
    hist += CHORD_CHROMA[starts].sum(axis=1) * flags[:, 2:3]
    return hist


def pitch_class_entropy(p: Pieces, use: np.ndarray | None = None) -> np.ndarray:
    """Shannon entropy (bits) of each segment's onset pitch-class histogram (NaN without notes)."""
    hist = pitch_class_histogram(p, use).astype(float)
    total = hist.sum(axis=1, keepdims=True)
    prob = hist / np.maximum(total, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(prob > 0, prob * np.log2(prob), 0.0).sum(axis=1)
    return np.where(total[:, 0] > 0, h, np.nan)


def scale_consistency(p: Pieces, use: np.ndarray | None = None) -> np.ndarray:
    """Per segment, the largest share of its notes inside one major or natural-minor scale (muspy)."""
    hist = pitch_class_histogram(p, use).astype(float)
    total = hist.sum(axis=1)
    best = (hist @ _SCALES.T).max(axis=1)
    return np.where(total > 0, best / np.maximum(total, 1), np.nan)


def polyphony(p: Pieces, use: np.ndarray | None = None) -> np.ndarray:
    """Per segment, the mean number of distinct pitches at steps where any sounds (chord tones at 60-71)."""
    flags = _use(p, use)[:, :, None, None].astype(np.int64)
    mel, bas = sounding(p.melody), sounding(p.bass)
    mel_pitch = np.where(mel > 0, OFFSET["melody"] + mel - PITCH0, -1)
    bas_pitch = np.where(bas > 0, OFFSET["bass"] + bas - PITCH0, -1)
    chord = CHORD_CHROMA[chord_steps(p.chords, p.spb)]  # [n, bars, spb, 12]
    in_octave = (mel_pitch >= CHORD_OCTAVE) & (mel_pitch < CHORD_OCTAVE + 12)
    doubled = in_octave & (np.take_along_axis(chord, np.clip(mel_pitch - CHORD_OCTAVE, 0, 11)[..., None],
                                              axis=-1)[..., 0] > 0)
    m, b, c = flags[:, 0], flags[:, 1], flags[:, 2]
    count = (c * chord.sum(axis=-1) + m * (mel_pitch >= 0) + b * (bas_pitch >= 0)
             - m * c * doubled - m * b * ((mel_pitch == bas_pitch) & (mel_pitch >= 0)))
    sounding_steps = (count > 0).sum(axis=(1, 2))
    return np.where(sounding_steps > 0, count.sum(axis=(1, 2)) / np.maximum(sounding_steps, 1), np.nan)


def onset_pattern(p: Pieces, use: np.ndarray | None = None) -> np.ndarray:
    """Whether any track read starts something at each step [n, bars, spb]."""
    flags = _use(p, use)[:, :, None, None]
    return ((flags[:, 0] & (p.melody >= PITCH0)) | (flags[:, 1] & (p.bass >= PITCH0))
            | (flags[:, 2] & chord_onsets(chord_steps(p.chords, p.spb))) | (flags[:, 3] & p.drums.any(axis=-1)))


def groove_consistency(p: Pieces, use: np.ndarray | None = None) -> np.ndarray:
    """Per segment, 1 - mean Hamming distance between consecutive bars' onset patterns / steps (muspy)."""
    pattern = onset_pattern(p, use)
    if p.bars < 2:
        return np.full(p.n, np.nan)
    distance = (pattern[:, 1:] != pattern[:, :-1]).sum(axis=(1, 2)) / (p.spb * (p.bars - 1))
    return np.where(pattern.any(axis=(1, 2)), 1.0 - distance, np.nan)


SEGMENT_METRICS = {"pitch_class_entropy": pitch_class_entropy, "scale_consistency": scale_consistency,
                   "polyphony": polyphony, "groove_consistency": groove_consistency}


# ---------------------------------------------------------------------------------------- reports

def _nanmean(values: np.ndarray) -> float | None:
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else None


def texture_mix(present: np.ndarray) -> dict[tuple[bool, ...], float]:
    """How often each combination of present tracks occurs (shares summing to 1)."""
    counts = Counter(tuple(bool(v) for v in row) for row in np.asarray(present).astype(bool))
    total = sum(counts.values())
    return {combo: count / total for combo, count in counts.items()}


def segment_metrics(p: Pieces, textures: dict[tuple[bool, ...], float] | None = None) -> dict[str, float | None]:
    """The muspy metrics, mean over segments; given `textures`, the weighted mean over those track sets."""
    out: dict[str, float | None] = {}
    for name, fn in SEGMENT_METRICS.items():
        if textures is None:
            out[name] = _nanmean(fn(p, None))
            continue
        parts = [(w, _nanmean(fn(p, np.array(combo)))) for combo, w in textures.items()]
        parts = [(w, v) for w, v in parts if v is not None]
        weight = sum(w for w, _ in parts)
        out[name] = sum(w * v for w, v in parts if v is not None) / weight if weight else None
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def quality_metrics(p: Pieces, textures: dict[tuple[bool, ...], float] | None = None) -> dict[str, Any]:
    """Every metric, per track where it applies (None where no segment has the track)."""
    report: dict[str, Any] = {
        "segments": p.n,
        "empty_bars_pct": {t: _round(empty_bars_pct(p, t)) for t in TRACKS},
        "used_pitch_classes": {t: _round(used_pitch_classes(p, t)) for t in ("melody", "bass", "chords")},
        "qualified_notes_pct": {t: _round(qualified_notes_pct(p, t)) for t in PITCHED},
        "qualified_notes_8th_pct": {t: _round(qualified_notes_pct(p, t, min_steps=2)) for t in PITCHED},
        "drum_pattern_pct": _round(drum_pattern_pct(p)),
        "tonal_distance": {f"{a}-{b}": _round(tonal_distance(p, a, b)) for a, b in PAIRS},
        "chord_variety": {"distinct_chords": _round(distinct_chords(p)),
                          "repeated_bars_pct": _round(repeated_bars_pct(p))},
    }
    report.update({k: _round(v) for k, v in segment_metrics(p, textures).items()})
    return report


def flatten(report: dict[str, Any], prefix: str = "") -> dict[str, float | None]:
    """Numeric leaves as dotted keys ("empty_bars_pct.melody"), counts left out."""
    out: dict[str, float | None] = {}
    for key, value in report.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        elif key != "segments":
            out[f"{prefix}{key}"] = value
    return out


def within(generated: dict[str, Any], data: dict[str, Any], tolerance: float = TOLERANCE,
           points: float = PCT_POINTS) -> dict[str, bool | None]:
    """Per metric, whether the generated value is within `tolerance` (relative) of the data's (None: one lacks it).

    For percentages a gap of at most `points` percentage points also passes: 25% of a near-zero share
    (0.02% empty melody bars in folk) would otherwise demand equality."""
    gen, ref = flatten(generated), flatten(data)
    out: dict[str, bool | None] = {}
    for key, want in ref.items():
        got = gen.get(key)
        if got is None or want is None:
            out[key] = None
            continue
        gap = abs(got - want)
        out[key] = bool(gap <= tolerance * abs(want) + 1e-9 or (key.split(".")[0].endswith("_pct") and gap <= points))
    return out


# ---------------------------------------------------------------------------------------- novelty

def melody_windows(melody: np.ndarray, bars: int = WINDOW_BARS, min_notes: int = MIN_WINDOW_NOTES) -> list[int]:
    """Hashes of each `bars`-bar window (hop one bar) of melodies [n, bars, spb] with >= `min_notes` onsets.

    A window is its notes as (onset step, length cut at the window's end, pitch minus the window's first
    pitch), plus the steps per bar: equal for a melody and any transposition of it."""
    n, total_bars, spb = melody.shape
    rows, starts, lengths, toks = notes(melody)
    bounds = np.searchsorted(rows, np.arange(n + 1))
    out: list[int] = []
    for r in range(n):
        s, ln, tk = (a[bounds[r]:bounds[r + 1]] for a in (starts, lengths, toks))
        for first in range(total_bars - bars + 1):
            lo, hi = np.searchsorted(s, [first * spb, (first + bars) * spb])
            if hi - lo < min_notes:
                continue
            ws = s[lo:hi]
            key = np.stack([ws - first * spb, np.minimum(ln[lo:hi], (first + bars) * spb - ws), tk[lo:hi] - tk[lo]])
            out.append(hash((spb, *key.T.reshape(-1).tolist())))
    return out


def novelty(windows: list[int], known: set[int]) -> float | None:
    """Share of windows not in `known` (None without windows)."""
    return sum(w not in known for w in windows) / len(windows) if windows else None


Sources = tuple[str, ...]
_CORPORA: dict[tuple[str, str, Sources], SegmentArrays] = {}
_KNOWN: dict[tuple[str, str, Sources], set[int]] = {}
_DATA_REPORTS: dict[tuple[str, str, Sources, int], tuple[dict[str, Any], dict[tuple[bool, ...], float]]] = {}


def training_corpus(settings: Settings, sources: Sources = DEFAULT_SOURCES) -> SegmentArrays:
    """The segments of these training sources (from the segment caches), loaded once per process."""
    key = (str(settings.datasets_dir), str(settings.cache_dir), sources)
    if key not in _CORPORA:
        _CORPORA[key] = build_corpus(settings.datasets_dir, settings.cache_dir, sources)
    return _CORPORA[key]


def training_windows(settings: Settings, sources: Sources = DEFAULT_SOURCES) -> set[int]:
    """Hashes of every 4-bar melody window of the sources' training split (every style and meter), once."""
    key = (str(settings.datasets_dir), str(settings.cache_dir), sources)
    if key not in _KNOWN:
        corpus = training_corpus(settings, sources)
        keep = (corpus.split == SPLITS.index("train")) & (corpus.present[:, 0] > 0)
        known: set[int] = set()
        for m, meter in enumerate(METERS):
            rows = keep & (corpus.meter == m)
            known.update(melody_windows(corpus.melody[rows][:, :, :meter.steps_per_bar].astype(np.int64)))
        _KNOWN[key] = known
    return _KNOWN[key]


# ---------------------------------------------------------------------------------------- evaluation

def style_data(settings: Settings, style: str,
               sources: Sources = DEFAULT_SOURCES) -> tuple[dict[str, Any], dict[tuple[bool, ...], float]]:
    """The metrics of a style's training-split 4/4 segments of these sources and their track combinations (cached)."""
    index = get_style(style).index
    key = (str(settings.datasets_dir), str(settings.cache_dir), sources, index)
    if key not in _DATA_REPORTS:
        corpus = training_corpus(settings, sources)
        mask = (corpus.split == SPLITS.index("train")) & (corpus.style == index)
        data = Pieces.from_segments(corpus.subset(mask), METER_44)
        _DATA_REPORTS[key] = (quality_metrics(data), texture_mix(data.present))
    return _DATA_REPORTS[key]


def style_tonics(style: str) -> tuple[int, ...]:
    """The style's usual tonics, as composition picks them."""
    from ..compose import _STYLE_TONICS

    return tuple(_STYLE_TONICS[style])


def generate_pieces(model: BaseGenModel, style: str, n: int, seed: int = 0, bars: int = 16,
                    chunk: int = 16, latent_scale: float = 0.5) -> Generated:
    """`n` pieces in 4/4 and major keys cycling through the style's tonics, sampled in batches as compose
    samples them (latents at `latent_scale`, notes at temperature 0.9)."""
    tonics = style_tonics(style)
    generator = torch.Generator().manual_seed(seed)
    parts = []
    for start in range(0, n, chunk):
        k = min(chunk, n - start)
        cond = Conditioning(torch.full((k,), get_style(style).index, dtype=torch.long),
                            torch.full((k,), METER_44, dtype=torch.long),
                            torch.tensor([tonics[(start + i) % len(tonics)] for i in range(k)], dtype=torch.long),
                            torch.zeros(k, dtype=torch.long))
        with torch.no_grad():
            parts.append(model.sample(cond, bars, latent_scale=latent_scale, generator=generator))
    return Generated(*(torch.cat([getattr(g, f) for g in parts]) for f in ("melody", "bass", "chords", "drums",
                                                                          "latent")))


def evaluate_quality(model_name: str, style: str, n: int, seed: int = 0, bars: int = 16,
                     settings: Settings | None = None) -> dict[str, Any]:
    """Metrics of `n` generated pieces of a style beside the model's training data (the sources its checkpoint
    was trained on), which ones are within 25%, novelty against the same sources."""
    from ..models.registry import load_model

    settings = settings or get_settings()
    get_style(style)  # KeyError before any work for an unknown style
    model = load_model(model_name, settings.checkpoint_dir, torch.device("cpu"))
    gen = generate_pieces(model, style, n, seed, bars, latent_scale=settings.latent_scale_for(model_name))
    pieces = Pieces.from_generated(gen)
    sources = model.trained_on or DEFAULT_SOURCES
    data, textures = style_data(settings, style, sources)
    generated = quality_metrics(pieces.sections(SEGMENT_BARS), textures)
    windows = melody_windows(pieces.melody)
    share = novelty(windows, training_windows(settings, sources))
    return {"model": model_name, "style": style, "n": n, "bars": bars, "seed": seed, "data_sources": list(sources),
            "generated": generated, "data": data, "within_25pct": within(generated, data),
            "novelty": None if share is None else round(share, 4), "novelty_windows": len(windows)}
