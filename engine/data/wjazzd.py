"""Weimar Jazz Database solos: note lists in seconds, put on a beat grid by a small beat tracker.

The solos (`wjazzd/solos/<base_name>_solo.csv`: MIDI pitch, onset s, duration s) carry no beats,
only an average tempo in `df_solos.csv`. The tracker starts from that tempo, picks the phase that
puts the most onsets on the (possibly swung) 8th-note grid, then walks through the solo a bar at a
time, re-fitting tempo and phase by grid search on a two-bar window around each bar, so slow
drift is followed but single notes cannot pull the grid. Swing is then estimated and removed
and the notes are quantised to 16ths. Which beat is "1" is not in the data: the bar phase is
chosen so the most (and longest) notes fall on beats 1 and 3, a guess that can be a beat or two
off (a half-bar shift keeps beats 1 and 3 on strong beats, so the guess is weakest there).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..mir.key import estimate_key
from ..music.score import Meter, Note, Role, Score, Track
from .sources import Piece, _bars_of, estimate_swing, split_of, unswing

log = logging.getLogger(__name__)

SWUNG_OFFBEAT = (0.5, 2 / 3)  # an off-beat 8th anywhere from straight to triplet swing
KERNEL = 0.06  # beats: how sharply the fit rewards an onset for sitting on the grid
WINDOW_BEATS, HOP_BEATS = 8, 4  # fit on two bars centred on the bar being committed
INITIAL_BEATS = 16
TEMPO_STEPS = 1 + np.linspace(-0.04, 0.04, 9)
PHASE_STEPS = np.linspace(-0.12, 0.12, 13)  # beats
TEMPO_LIMIT = 1.15  # the local tempo stays within this factor of the solo's average tempo
ON_GRID = 1 / 8  # beats: half a 16th either side of a grid point
MIN_ON_GRID = 0.7
MIN_NOTES = 32
# GM programs (0-based) for the database's instrument labels.
PROGRAMS = {"ts": 66, "as": 65, "ss": 64, "bs": 67, "tp": 56, "cor": 56, "tb": 57, "cl": 71}


def grid_distance(positions: np.ndarray) -> np.ndarray:
    """Distance in beats from each position to the nearest beat or (swung) off-beat."""
    frac = np.mod(positions, 1.0)
    lo, hi = SWUNG_OFFBEAT
    offbeat = np.clip(frac, lo, hi)
    return np.minimum(np.minimum(frac, 1.0 - frac), np.abs(frac - offbeat))


def _fit(onsets: np.ndarray, start: float, period: float, factors: np.ndarray, shifts: np.ndarray,
         span: tuple[float, float], limits: tuple[float, float]) -> tuple[float, float]:
    """The (start, period) among the candidates whose grid best fits the onsets in `span` beats."""
    periods = np.clip(period * factors, *limits)[:, None, None]
    starts = start + shifts[None, :, None] * period
    positions = (onsets[None, None, :] - starts) / periods
    inside = (positions >= span[0]) & (positions < span[1])
    fit = (np.exp(-0.5 * (grid_distance(positions) / KERNEL) ** 2) * inside).sum(axis=2)
    # Prefer the smallest change among near-equal fits, so silence and noise leave the grid alone.
    fit -= 0.01 * (np.abs(factors[:, None] - 1) / 0.04 + np.abs(shifts[None, :]) / 0.12)
    i, j = np.unravel_index(int(np.argmax(fit)), fit.shape)
    return float(starts[0, j, 0]), float(periods[i, 0, 0])


def track_beats(onsets: np.ndarray, tempo: float) -> np.ndarray:
    """Beat times (s) covering the onsets, starting from `tempo` (quarter-note bpm)."""
    period = 60.0 / tempo
    limits = (period / TEMPO_LIMIT, period * TEMPO_LIMIT)
    start, period = _fit(onsets, float(onsets.min()), period, 1 + np.linspace(-0.06, 0.06, 13),
                         -np.linspace(0.0, 1.0, 40, endpoint=False), (0.0, INITIAL_BEATS), limits)
    beats = []
    half = WINDOW_BEATS / 2
    while start <= onsets.max() + period:
        near = onsets[np.abs(onsets - start) < (half + 1) * period]
        if len(near) >= 4:
            start, period = _fit(near, start, period, TEMPO_STEPS, PHASE_STEPS, (-half, half), limits)
        beats.extend(start + period * np.arange(HOP_BEATS))
        start += HOP_BEATS * period
    return np.array(beats)


def beat_positions(times: np.ndarray, beats: np.ndarray) -> np.ndarray:
    """Times (s) as fractional beat numbers, extrapolating at the same tempo past either end."""
    index = np.arange(len(beats), dtype=float)
    pos = np.interp(times, beats, index)
    before, after = times < beats[0], times > beats[-1]
    pos[before] = (times[before] - beats[0]) / (beats[1] - beats[0])
    pos[after] = index[-1] + (times[after] - beats[-1]) / (beats[-1] - beats[-2])
    return pos


def on_grid_share(positions: np.ndarray) -> float:
    """Share of (unswung) positions within half a 16th of the 8th-note grid; 0.5 by chance."""
    if not len(positions):
        return 0.0
    return float(np.mean(np.abs(positions * 2 - np.round(positions * 2)) <= ON_GRID * 2))


def downbeat_shift(notes: list[Note]) -> int:
    """Steps (0, 4, 8, 12) to drop so that the most, and longest, notes fall on beats 1 and 3."""
    def weight(shift: int) -> int:
        return sum(1 + n.duration for n in notes if (n.start - shift) % 8 == 0 and (n.start - shift) % 16 in (0, 8))

    return max((0, 4, 8, 12), key=weight)


def quantise(pitches: np.ndarray, onsets: np.ndarray, durations: np.ndarray,
             beats: np.ndarray) -> tuple[list[Note], float]:
    """Notes on the 16th grid (swing removed, bar phase guessed) and the swing amount found."""
    starts = beat_positions(onsets, beats)
    ends = beat_positions(onsets + durations, beats)
    swing = estimate_swing(starts)
    s_steps = np.round(unswing(starts, swing) * 4).astype(int)
    e_steps = np.round(unswing(ends, swing) * 4).astype(int)
    first = int(s_steps.min()) // 4 * 4
    notes = [Note(int(p), int(s) - first, max(1, int(e - s)), 90)
             for p, s, e in zip(pitches, s_steps, e_steps, strict=True)]
    shift = downbeat_shift(notes)
    shift -= 16 if shift > min(n.start for n in notes) else 0
    return [Note(n.pitch, n.start - shift, n.duration, n.velocity) for n in notes], swing


def read_wjazzd(root: Path) -> Iterator[Piece]:
    """Weimar Jazz Database solos as jazz melodies in 4/4, beat-tracked; poorly tracked solos skipped."""
    base = root / "wjazzd"
    with (base / "df_solos.csv").open() as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        path = base / "solos" / f"{row['base_name']}_solo.csv"
        if not path.exists():
            continue
        piece = _solo(row, np.loadtxt(path, delimiter=",", ndmin=2))
        if piece is not None:
            yield piece


def _solo(row: dict[str, str], data: np.ndarray) -> Piece | None:
    """One solo as a piece, or None when it is too short or the tracker could not follow it."""
    name = row["base_name"]
    if len(data) < MIN_NOTES:
        log.debug("skipping %s: %d notes", name, len(data))
        return None
    data = data[np.argsort(data[:, 1])]
    pitches, onsets, durations = data[:, 0], data[:, 1], data[:, 2]
    beats = track_beats(onsets, float(row["avgtempo"]))
    share = on_grid_share(beat_positions(onsets, beats))
    if share < MIN_ON_GRID:
        log.debug("skipping %s: %.0f%% of onsets on the tracked grid", name, 100 * share)
        return None
    notes, swing = quantise(pitches, onsets, durations, beats)
    meter = Meter(4, 4)
    score = Score(tempo=round(60.0 / float(np.median(np.diff(beats))), 1), meter=meter,
                  bars=_bars_of(notes, meter), tracks=[Track(Role.MELODY, PROGRAMS.get(row["instrument"], 65),
                                                               notes, row["instrument"])], swing=swing)
    score.key = estimate_key(score)
    ident = f"wjazzd/{name}"
    return Piece(score, "jazz", "wjazzd", ident, (True, False, False, False), split_of(ident))
