"""The models' view of music: a segment of bars as integer and binary arrays, and back.

Each bar is a slot of 16 steps (a 16th each); bars of 3/4 and 6/8 use the first 12 and mark the
rest as padding. Per step: a melody token and a bass token (0 = rest, 1 = hold, 2+ = pitch),
nine drum onsets (MusicVAE's drum classes). Per half bar: a chord token (0 = none, else root ×
quality). Tracks a source lacks are masked out of the loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..music.score import ChordLabel, Meter, Note, Role, Score, Track

SLOT = 16
REST, HOLD, PITCH0 = 0, 1, 2
MELODY_RANGE = (48, 96)  # C3..B6
BASS_RANGE = (24, 60)  # C1..B3
N_MELODY = PITCH0 + MELODY_RANGE[1] - MELODY_RANGE[0]
N_BASS = PITCH0 + BASS_RANGE[1] - BASS_RANGE[0]

QUALITIES = ("maj", "min", "7", "maj7", "m7", "dim", "m7b5", "sus4")
CHORD_TONES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10), "dim": (0, 3, 6), "m7b5": (0, 3, 6, 10), "sus4": (0, 5, 7),
}
N_CHORDS = 1 + 12 * len(QUALITIES)
HOME_QUALITIES = {False: ("maj", "maj7", "7"), True: ("min", "m7")}
"""The tonic chords a piece ends on at home, by whether its key is minor."""

# MusicVAE's nine drum classes: the GM pitches folded into each, and the pitch written back.
DRUM_CLASSES: tuple[tuple[int, tuple[int, ...]], ...] = (
    (36, (35, 36)),
    (38, (27, 28, 31, 32, 33, 34, 37, 38, 39, 40, 56, 65, 66, 75, 85)),
    (42, (42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22)),
    (46, (46, 67, 72, 74, 79, 81, 26)),
    (45, (45, 29, 41, 43, 61, 64, 84)),
    (48, (48, 47, 60, 63, 77, 86, 87)),
    (50, (50, 30, 62, 76, 83)),
    (49, (49, 52, 55, 57, 58)),
    (51, (51, 53, 59, 82)),
)
N_DRUMS = len(DRUM_CLASSES)
DRUM_CLASS_OF_PITCH = {p: i for i, (_, pitches) in enumerate(DRUM_CLASSES) for p in pitches}
METERS = (Meter(4, 4), Meter(3, 4), Meter(6, 8))
TRACKS = ("melody", "bass", "chords", "drums")


def meter_index(meter: Meter) -> int:
    """Index of a supported meter (ValueError otherwise)."""
    return METERS.index(meter)


def chord_token(root: int, quality: str) -> int:
    return 1 + root * len(QUALITIES) + QUALITIES.index(quality)


def chord_of_token(token: int) -> tuple[int, str] | None:
    if token <= 0:
        return None
    root, q = divmod(token - 1, len(QUALITIES))
    return root, QUALITIES[q]


CHORD_CHROMA = np.zeros((N_CHORDS, 12), dtype=np.int64)
"""[N_CHORDS, 12]: each chord token's tones as pitch classes, 0/1 (no chord: a zero row)."""
for _tok in range(1, N_CHORDS):
    _root, _quality = chord_of_token(_tok) or (0, "maj")
    CHORD_CHROMA[_tok, [(_root + t) % 12 for t in CHORD_TONES[_quality]]] = 1


def sounding(tokens: np.ndarray) -> np.ndarray:
    """The token of the note sounding at each step (0 where silent), holds followed across bar lines;
    `tokens` is [n, ...steps] (one row per piece)."""
    flat = tokens.reshape(tokens.shape[0], int(np.prod(tokens.shape[1:])))
    pos = np.arange(flat.shape[1])
    last = np.maximum.accumulate(np.where(flat != HOLD, pos, -1), axis=1)
    source = np.take_along_axis(flat, np.maximum(last, 0), axis=1)
    return np.where((last >= 0) & (source >= PITCH0), source, 0).reshape(tokens.shape)


def track_bar_chroma(tokens: np.ndarray, lowest: int) -> np.ndarray:
    """Sounding steps per pitch class in each bar [n, bars, 12] of a melody or bass track [n, bars, steps]
    whose first pitch token is MIDI pitch `lowest` (pass only the bar's real steps)."""
    toks = sounding(np.asarray(tokens).astype(np.int64))
    n, bars = toks.shape[:2]
    bar_index = np.arange(n * bars).reshape(n, bars, 1)
    idx = (bar_index * 12 + (lowest + toks - PITCH0) % 12)[toks > 0]
    return np.bincount(idx, minlength=n * bars * 12).reshape(n, bars, 12)


def chord_bar_chroma(chords: np.ndarray, spb: int) -> np.ndarray:
    """Steps per pitch class in each bar [n, bars, 12] of chord tokens [n, bars, 2], each sounding for its
    half bar."""
    half = np.array([spb // 2, spb - spb // 2])
    return (CHORD_CHROMA[np.asarray(chords).astype(np.int64)] * half[:, None]).sum(axis=2)


def segment_chroma(melody: np.ndarray, bass: np.ndarray, chords: np.ndarray, spb: int = SLOT) -> np.ndarray:
    """Sounding steps per pitch class [n, 12] of pieces' melody, bass and chords (each chord sounding for
    its half bar), from token arrays shaped [n, bars, SLOT] and [n, bars, 2]; steps past `spb` are padding."""
    tracks = (track_bar_chroma(np.asarray(t)[:, :, :spb], lo) for t, lo in ((melody, MELODY_RANGE[0]),
                                                                             (bass, BASS_RANGE[0])))
    return (sum(tracks) + chord_bar_chroma(chords, spb)).sum(axis=1).astype(float)


def transpose_tokens(tokens: torch.Tensor, shift: torch.Tensor, n_tokens: int) -> torch.Tensor:
    """Melody or bass tokens [n, ...] moved by `shift` [n] semitones, folded by octaves to stay in range."""
    n_pitches = n_tokens - PITCH0
    pitch = tokens.long() - PITCH0 + shift.view(-1, *([1] * (tokens.dim() - 1)))
    pitch = torch.where(pitch >= n_pitches, pitch - 12, pitch)
    pitch = torch.where(pitch < 0, pitch + 12, pitch)
    return torch.where(tokens.long() >= PITCH0, pitch + PITCH0, tokens.long())


def transpose_chords(chords: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Chord tokens [n, ...] with their roots moved by `shift` [n] semitones."""
    chords = chords.long()
    index = torch.clamp(chords - 1, min=0)
    root, quality = index // len(QUALITIES), index % len(QUALITIES)
    moved = ((root + shift.view(-1, *([1] * (chords.dim() - 1)))) % 12) * len(QUALITIES) + quality + 1
    return torch.where(chords > 0, moved, chords)


@dataclass
class Segment:
    """A run of bars as arrays; shapes are [bars, 16], [bars, 16], [bars, 2], [bars, 16, 9]."""

    melody: np.ndarray
    bass: np.ndarray
    chords: np.ndarray
    drums: np.ndarray
    meter: Meter
    present: np.ndarray
    """Which of TRACKS the source has, as 0/1 flags."""

    @property
    def bars(self) -> int:
        return int(self.melody.shape[0])


def _fold(pitch: int, lo: int, hi: int) -> int:
    while pitch < lo:
        pitch += 12
    while pitch >= hi:
        pitch -= 12
    return pitch


def _monophonic(notes: list[Note], total: int, lo: int, hi: int, highest: bool) -> np.ndarray:
    """One token per step: the highest (or lowest) onset, holds while it sounds, else rest."""
    out = np.zeros(total, dtype=np.int64)
    chosen: dict[int, Note] = {}
    for n in notes:
        if 0 <= n.start < total:
            cur = chosen.get(n.start)
            if cur is None or (n.pitch > cur.pitch) == highest:
                chosen[n.start] = n
    onsets = sorted(chosen)
    for i, s in enumerate(onsets):
        n = chosen[s]
        stop = min(n.end, onsets[i + 1] if i + 1 < len(onsets) else total, total)
        out[s] = PITCH0 + _fold(n.pitch, lo, hi) - lo
        out[s + 1:stop] = HOLD
    return out


def estimate_chord(weights: np.ndarray, bass_pc: int | None = None) -> int:
    """Best chord token for a 12-bin pitch-class weight vector (0 when nearly silent)."""
    if weights.sum() < 1e-6:
        return 0
    w = weights / weights.sum()
    best, best_score = 0, -1e9
    for q, tones in CHORD_TONES.items():
        template = np.zeros(12)
        template[list(tones)] = 1.0
        for root in range(12):
            t = np.roll(template, root)
            score = float(w @ t) - 0.6 * float(w @ (1 - t)) - 0.04 * len(tones)
            if bass_pc is not None and bass_pc == root:
                score += 0.15
            if score > best_score:
                best, best_score = chord_token(root, q), score
    return best


def estimate_chords(score: Score, half_bars: int) -> np.ndarray:
    """Chord tokens per half bar estimated from all pitched notes (for sources without symbols)."""
    spb = score.meter.steps_per_bar
    half = spb // 2
    weights = np.zeros((half_bars, 12))
    lowest = np.full(half_bars, 200)
    for t in score.tracks:
        if t.is_drum:
            continue
        for n in t.notes:
            for h in range(n.start // half, min(half_bars, -(-n.end // half))):
                overlap = min(n.end, (h + 1) * half) - max(n.start, h * half)
                if overlap > 0:
                    weights[h, n.pitch % 12] += overlap
                    lowest[h] = min(lowest[h], n.pitch)
    return np.array([estimate_chord(weights[h], int(lowest[h] % 12) if lowest[h] < 200 else None)
                     for h in range(half_bars)], dtype=np.int64)


def _chords_from_labels(labels: list[ChordLabel], bars: int, spb: int) -> np.ndarray:
    """Chord tokens per half bar from symbols: the chord sounding at each half bar's start."""
    out = np.zeros(bars * 2, dtype=np.int64)
    ordered = sorted(labels, key=lambda c: c.start)
    for h in range(bars * 2):
        at = h * (spb // 2)
        current = [c for c in ordered if c.start <= at + spb // 4]
        if current and current[-1].quality in QUALITIES:
            out[h] = chord_token(current[-1].root, current[-1].quality)
    return out


def encode(score: Score, present: tuple[bool, bool, bool, bool]) -> Segment:
    """The whole score as one segment (slice it with `Segment` indexing helpers)."""
    spb, bars = score.meter.steps_per_bar, score.bars
    total = bars * spb
    melody = score.track(Role.MELODY)
    bass = score.track(Role.BASS)
    drums = score.track(Role.DRUMS)
    mel = _monophonic(melody.notes if melody else [], total, *MELODY_RANGE, highest=True)
    bas = _monophonic(bass.notes if bass else [], total, *BASS_RANGE, highest=False)
    drm = np.zeros((total, N_DRUMS), dtype=np.float32)
    for n in drums.notes if drums else []:
        cls = DRUM_CLASS_OF_PITCH.get(n.pitch)
        if cls is not None and 0 <= n.start < total:
            drm[n.start, cls] = 1.0
    chords = (_chords_from_labels(score.chords, bars, spb) if score.chords
              else estimate_chords(score, bars * 2))

    def slots(a: np.ndarray, fill: float) -> np.ndarray:
        shaped = a.reshape(bars, spb, *a.shape[1:])
        if spb == SLOT:
            return shaped
        pad = np.full((bars, SLOT - spb, *a.shape[1:]), fill, dtype=a.dtype)
        return np.concatenate([shaped, pad], axis=1)

    return Segment(slots(mel, REST), slots(bas, REST), chords.reshape(bars, 2), slots(drm, 0.0),
                   score.meter, np.array(present, dtype=np.float32))


def _notes_from_tokens(tokens: np.ndarray, lo: int, velocity: int) -> list[Note]:
    notes: list[Note] = []
    start, pitch = -1, -1
    for step, tok in enumerate([*tokens.tolist(), REST]):
        if tok == HOLD and start >= 0:
            continue
        if start >= 0:
            notes.append(Note(pitch, start, step - start, velocity))
            start = -1
        if tok >= PITCH0:
            start, pitch = step, lo + tok - PITCH0
    return notes


def decode(melody: np.ndarray, bass: np.ndarray, chords: np.ndarray, drums: np.ndarray,
           meter: Meter, programs: dict[Role, int]) -> tuple[list[Track], list[ChordLabel]]:
    """Tracks and chord symbols from arrays shaped as in `Segment` (padding steps dropped)."""
    spb = meter.steps_per_bar
    mel = melody[:, :spb].reshape(-1)
    bas = bass[:, :spb].reshape(-1)
    drm = drums[:, :spb].reshape(-1, N_DRUMS)
    tracks = [Track(Role.MELODY, programs.get(Role.MELODY, 0), _notes_from_tokens(mel, MELODY_RANGE[0], 96)),
              Track(Role.BASS, programs.get(Role.BASS, 33), _notes_from_tokens(bas, BASS_RANGE[0], 92))]
    hits = [Note(DRUM_CLASSES[c][0], int(s), 1, 100 if c in (0, 1) else 80) for s, c in zip(*np.nonzero(drm > 0.5))]
    tracks.append(Track(Role.DRUMS, 0, hits))
    labels = []
    for h, tok in enumerate(chords.reshape(-1).tolist()):
        chord = chord_of_token(int(tok))
        if chord is not None:
            labels.append(ChordLabel(h * (spb // 2), chord[0], chord[1]))
    return tracks, labels

