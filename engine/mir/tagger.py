"""The style tagger: a small calibrated classifier over source-robust musical features.

Lesson from this data (datasets README): a tagger learns the *source* unless it is kept from it.
So the tagger sees only musical features: not tempo (constant in several sources), meter, swing
(the scores notate swing straight; it is applied at render time) or which tracks exist. It is
trained on several textures of every segment (melody alone, chords alone, drums alone, melody
with chords), each rendered plainly (chords as sustained blocks, no style-specific comping), so that
it judges what was written, not how it was arranged. Probabilities are calibrated by temperature
scaling on held-out data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from ..data.encoding import CHORD_TONES, METERS, decode, encode
from ..music.score import ChordLabel, Meter, Note, Role, Score, Track
from ..styles import STYLES
from .features import FEATURE_NAMES, extract_features

_SOURCE_ARTIFACTS = ("tempo", "swing_", "meter_", "has_")
TAGGER_FEATURES: tuple[str, ...] = tuple(
    name for name in FEATURE_NAMES if not any(name.startswith(a) for a in _SOURCE_ARTIFACTS))
STYLE_NAMES = tuple(s.name for s in STYLES)
TEXTURES = ("melody", "chords", "drums", "leadsheet")
"""Views a piece is judged in. No view has a bass line: only three styles' sources have one."""


def block_chords(chords: list[ChordLabel], meter: Meter, bars: int) -> list[Note]:
    """Chord symbols as plain sustained close-position chords around G3–F#4, one per half bar."""
    half = meter.steps_per_bar // 2
    ordered = sorted(chords, key=lambda c: c.start)
    notes = []
    for h in range(bars * 2):
        sounding = [c for c in ordered if c.start <= h * half]
        if sounding and sounding[-1].quality in CHORD_TONES:
            chord = sounding[-1]
            notes += [Note(55 + (chord.root + t - 55) % 12, h * half, half, 70) for t in CHORD_TONES[chord.quality]]
    return notes


def texture_views(melody: list[Note], chords: list[ChordLabel], drums: list[Note], meter: Meter,
                  bars: int) -> dict[str, Score]:
    """The piece in each texture it has, rendered plainly (no style's arrangement rules)."""
    parts = {"melody": [Track(Role.MELODY, 0, melody)] if melody else [],
             "chords": [Track(Role.HARMONY, 0, block_chords(chords, meter, bars))] if chords else [],
             "drums": [Track(Role.DRUMS, 0, drums)] if drums else []}
    views = {name: Score(meter=meter, bars=bars, tracks=tracks) for name, tracks in parts.items() if tracks}
    if melody and chords:
        views["leadsheet"] = Score(meter=meter, bars=bars, tracks=parts["melody"] + parts["chords"])
    return views


def segment_views(melody: np.ndarray, chords: np.ndarray, drums: np.ndarray, meter: Meter,
                  present: tuple[bool, ...]) -> dict[str, Score]:
    """Texture views of arrays in the model encoding (a training segment or a model's output)."""
    tracks, labels = decode(melody, np.zeros_like(melody), chords, drums, meter, {})
    by_role = {t.role: t.notes for t in tracks}
    return texture_views(by_role[Role.MELODY] if present[0] else [], labels if present[2] else [],
                         by_role[Role.DRUMS] if present[3] else [], meter, int(melody.shape[0]))


def score_views(score: Score, window_bars: int = 8) -> list[dict[str, Score]]:
    """Texture views of any score (an upload), seen exactly as training segments are: encoded, then
    cut into windows of `window_bars` bars (hop half a window; a shorter piece is one window)."""
    meter = score.meter if score.meter in METERS else Meter(4, 4)
    present = (score.track(Role.MELODY) is not None, False,
               any(not t.is_drum for t in score.tracks), score.track(Role.DRUMS) is not None)
    seg = encode(replace(score, meter=meter), present)
    return windowed_views(seg.melody, seg.chords, seg.drums, meter, present, window_bars)


def windowed_views(melody: np.ndarray, chords: np.ndarray, drums: np.ndarray, meter: Meter,
                   present: tuple[bool, ...], window_bars: int = 8,
                   hop_bars: int | None = None) -> list[dict[str, Score]]:
    """Texture views of windows of `window_bars` bars of arrays in the model encoding, `hop_bars` apart (default half
    a window) and one more ending with the piece if the last left bars out (a shorter piece is one window): the
    length the tagger learnt from, as some features count per piece (the chord vocabulary)."""
    bars = int(melody.shape[0])
    length = min(window_bars, bars)
    starts = list(range(0, bars - length + 1, max(1, hop_bars or length // 2)))
    if starts[-1] + length < bars:
        starts.append(bars - length)
    return [segment_views(melody[i:i + length], chords[i:i + length], drums[i:i + length], meter, present)
            for i in starts]


def feature_vector(score: Score) -> np.ndarray:
    """The tagger's input for one view."""
    features = extract_features(score)
    return np.array([features[name] for name in TAGGER_FEATURES], dtype=np.float32)


class StyleTagger(nn.Module):
    """Standardise, a small MLP, and a calibration temperature."""

    mean: torch.Tensor
    std: torch.Tensor
    temperature: torch.Tensor

    def __init__(self, n_features: int = len(TAGGER_FEATURES), n_styles: int = len(STYLE_NAMES),
                 hidden: int = 64) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("std", torch.ones(n_features))
        self.register_buffer("temperature", torch.ones(()))
        self.net = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(0.2),
                                 nn.Linear(hidden, n_styles))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Uncalibrated logits."""
        return self.net((x - self.mean) / self.std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Calibrated log-probabilities."""
        return torch.log_softmax(self.logits(x) / self.temperature, -1)

    @torch.no_grad()
    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Style probabilities for feature rows [n, features] (or one row)."""
        self.eval()
        rows = torch.from_numpy(np.atleast_2d(x).astype(np.float32))
        return self(rows).exp().numpy()


@dataclass
class StyleScores:
    """A tagger's verdict: the most likely style and every style's probability."""

    label: str
    scores: dict[str, float]

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "scores": {k: round(v, 4) for k, v in self.scores.items()}}


def classify(tagger: StyleTagger, views: dict[str, Score] | list[dict[str, Score]]) -> StyleScores:
    """One verdict from every view (of every window): the normalised geometric mean of their probabilities."""
    windows = views if isinstance(views, list) else [views]
    features = [feature_vector(v) for w in windows for v in w.values()]
    if not features:  # nothing to judge (no melody, chords or drums): every style equally likely
        return StyleScores(STYLE_NAMES[0], dict.fromkeys(STYLE_NAMES, 1 / len(STYLE_NAMES)))
    rows = np.stack(features)
    log_p = np.log(np.clip(tagger.probabilities(rows), 1e-9, 1.0)).mean(0)
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    return StyleScores(STYLE_NAMES[int(p.argmax())], {name: float(v) for name, v in zip(STYLE_NAMES, p, strict=True)})


def load_tagger(data: dict) -> StyleTagger:
    tagger = StyleTagger(hidden=int(data["hidden"]))
    tagger.load_state_dict(data["state_dict"])
    return tagger.eval()
