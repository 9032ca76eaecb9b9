"""Weimar Jazz Database solos: note lists in seconds, put on a beat grid by a small beat tracker.

The solos (`wjazzd/solos/<base_name>_solo.csv`: MIDI pitch, onset s, duration s) carry no beats,
only an average tempo in `df_solos.csv`. The tracker makes two Viterbi passes over windows a bar
apart. First the local tempo, within ±15% of the average in 1% steps: each window scores a tempo
by how many onsets its best-phased grid puts near a beat or an off-beat (anywhere from straight to
triplet swing), and changing tempo costs. Then, on the clock that tempo curve gives, the phase (48
states a beat), which costs to move. Searching whole paths rather than fitting bar by bar keeps one
ambiguous bar from locking the grid onto a wrong tempo or onto the off-beats; swing (off-beats late,
beats not) is what tells beats from off-beats. Lines mostly in 16ths (ballads, double time) are
tracked again with the 8th as the pulse, and that grid is kept when it fits clearly better. Swing
is then estimated and removed and the notes quantised to 16ths.

Which beat is "1" is not in the data: the bar phase (and, with the 8th as the pulse, which 8th is
the beat) is chosen so the most and longest notes fall on beats 1 and 3. That is a guess: it can
put beat 3 where beat 1 is, or be a beat off. A solo is kept when at least 70% of its onsets lie
within half a 16th of the tracked 8th-note grid (50% by chance; synthetic swung lines tracked right
score over 90%; real solos that read right by eye score 74-89%, and those below 70% are mostly
ballads full of 32nds and tuplets, or lines with stray 16ths where triplets or a slipping grid
defeat the 16th grid).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..mir.key import key_of
from ..music.score import Meter, Note, Role, Score, Track

if TYPE_CHECKING:  # at run time `.sources` is imported where used: it imports this module for SOURCES
    from .sources import Piece

log = logging.getLogger(__name__)

SWUNG_OFFBEAT = (0.5, 2 / 3)  # an off-beat 8th anywhere from straight to triplet swing
KERNEL = 0.06  # beats: how sharply a fit rewards an onset for sitting on the grid
TEMPO_LIMIT, TEMPO_STATES = 1.15, 29  # local tempo within ±15% of the average, in 1% steps
TEMPO_WINDOW, TEMPO_CHANGE = 16, 0.5  # beats per tempo fit (one a bar); cost of a 1% change
PHASES, PHASE_WINDOW, PHASE_CHANGE = 48, 8, 1.0  # phase states; beats per fit; cost of a 0.05-beat move
ON_GRID = 1 / 8  # beats: half a 16th either side of a grid point
# Tracking 8ths as the pulse loses which 8th is the beat, so it must fit clearly better to be used:
# on 8th-note lines it scores a few points below the beat, on 16th-note lines 5-15 points above.
FINER_MARGIN = 0.05
MIN_ON_GRID = 0.7
MIN_NOTES = 32
# GM programs (0-based) for the database's instrument labels.
PROGRAMS = {"ts": 66, "as": 65, "ss": 64, "bs": 67, "tp": 56, "cor": 56, "tb": 57, "cl": 71}


def grid_distance(positions: np.ndarray) -> np.ndarray:
    """Distance in beats from each position to the nearest beat or (straight to triplet-swung) off-beat."""
    frac = np.mod(positions, 1.0)
    return np.minimum(np.minimum(frac, 1.0 - frac), np.abs(frac - np.clip(frac, *SWUNG_OFFBEAT)))


def _fit(positions: np.ndarray) -> np.ndarray:
    """How well onsets sit on the grid, summed over the last axis (about 1 per onset on it)."""
    return np.exp(-0.5 * (grid_distance(positions) / KERNEL) ** 2).sum(axis=-1)


def _viterbi(fit: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The states [windows] maximising the summed fit [windows, states] less the moves' cost [from, to]."""
    score = fit[0].copy()
    back = np.zeros(fit.shape, dtype=int)
    for j in range(1, len(fit)):
        total = score[:, None] - cost
        back[j] = np.argmax(total, axis=0)
        score = total[back[j], np.arange(fit.shape[1])] + fit[j]
    path = [int(np.argmax(score))]
    for j in range(len(fit) - 1, 0, -1):
        path.append(int(back[j, path[-1]]))
    return np.array(path[::-1])


def tempo_curve(onsets: np.ndarray, tempo: float) -> tuple[np.ndarray, np.ndarray]:
    """Times a bar apart and the beat period there: each window's best fit over any phase, made smooth."""
    period = 60.0 / tempo
    periods = period * np.geomspace(1 / TEMPO_LIMIT, TEMPO_LIMIT, TEMPO_STATES)
    phases = np.arange(PHASES)[:, None] / PHASES
    times = np.arange(onsets.min() - 4 * period, onsets.max() + 8 * period, 4 * period)
    fit = np.zeros((len(times), TEMPO_STATES))
    for j, centre in enumerate(times):
        near = onsets[np.abs(onsets - centre) < TEMPO_WINDOW / 2 * period] - centre
        fit[j] = _fit(near / periods[:, None, None] - phases).max(axis=1)
    states = np.arange(TEMPO_STATES)
    return times, periods[_viterbi(fit, TEMPO_CHANGE * (states[:, None] - states) ** 2)]


def phase_curve(clock: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bar centres on the tempo curve's clock (beats) and the phase (beats, unwrapped) to subtract there."""
    centres = np.arange(np.floor(clock.min()), clock.max() + 4, 4.0) + 2
    phases = np.arange(PHASES) / PHASES
    fit = np.array([_fit(clock[np.abs(clock - c) < PHASE_WINDOW / 2] - phases[:, None])
                    for c in centres])
    moves = (phases[:, None] - phases + 0.5) % 1 - 0.5
    path = phases[_viterbi(fit, PHASE_CHANGE * (moves / 0.05) ** 2)]
    return centres, path[0] + np.concatenate([[0.0], np.cumsum((np.diff(path) + 0.5) % 1 - 0.5)])


def track_beats(onsets: np.ndarray, tempo: float) -> np.ndarray:
    """Beat times (s) through the onsets, from an average `tempo` (quarter-note bpm)."""
    times, periods = tempo_curve(onsets, tempo)
    ticks = np.concatenate([[0.0], np.cumsum(np.diff(times) * 2 / (periods[1:] + periods[:-1]))])
    centres, phase = phase_curve(np.interp(onsets, times, ticks))
    fine = np.arange(ticks[0], ticks[-1], 0.01)
    counted = fine - np.interp(fine, centres, phase)
    numbers = np.arange(np.ceil(counted[0]), np.floor(counted[-1]) + 1)
    return np.interp(np.interp(numbers, counted, fine), ticks, times)


def beat_positions(times: np.ndarray, beats: np.ndarray) -> np.ndarray:
    """Times (s) as fractional beat numbers, extrapolating at the same tempo past either end."""
    index = np.arange(len(beats), dtype=float)
    pos = np.interp(times, beats, index)
    before, after = times < beats[0], times > beats[-1]
    pos[before] = (times[before] - beats[0]) / (beats[1] - beats[0])
    pos[after] = index[-1] + (times[after] - beats[-1]) / (beats[-1] - beats[-2])
    return pos


def fit_swing(positions: np.ndarray) -> tuple[float, float]:
    """The swing (0 straight, 1 triplet) whose removal puts the most onsets within half a 16th of
    the 8th-note grid, and of those the nearest to it; and the share of onsets it puts there
    (about 0.5 by chance).

    `sources.estimate_swing` judges against the 16th grid, where a swung off-beat (~0.6 of a
    beat) sits as near the 16th after it as the off-beat; jazz lines are judged at the 8th."""
    from .sources import unswing

    def fit(swing: float) -> tuple[float, float]:
        halves = unswing(positions, swing) * 2
        error = np.abs(halves - np.round(halves)) / 2
        near = error <= ON_GRID
        return float(near.mean()), -float(error[near].mean()) if near.any() else 0.0

    swing = max((float(s) for s in np.linspace(0.0, 1.0, 11)), key=fit)
    return swing, fit(swing)[0]


@dataclass(frozen=True)
class Tracking:
    """A solo's tracked pulse: times (s), pulses per quarter note, swing, share of onsets on its grid."""

    pulses: np.ndarray
    per_beat: int
    swing: float
    share: float


def track(onsets: np.ndarray, tempo: float) -> Tracking:
    """Track at the beat; for lines mostly in 16ths, at the 8th when that fits clearly better."""
    def at(per_beat: int) -> Tracking:
        pulses = track_beats(onsets, tempo * per_beat)
        positions = beat_positions(onsets, pulses)
        return Tracking(pulses, per_beat, *fit_swing(positions))

    beat, eighth = at(1), at(2)
    return eighth if eighth.share > beat.share + FINER_MARGIN else beat


def downbeat_shift(notes: list[Note], step: int) -> int:
    """Steps to drop (a multiple of `step` below 16) so the most, and longest, notes fall on beats 1
    and 3; ties go to the shift that puts more on beat 1."""
    def weight(shift: int) -> tuple[int, int]:
        on = [((n.start - shift) % 16, 1 + n.duration) for n in notes]
        return sum(w for p, w in on if p in (0, 8)), sum(w for p, w in on if p == 0)

    return max(range(0, 16, step), key=weight)


def quantise(pitches: np.ndarray, onsets: np.ndarray, durations: np.ndarray, tracking: Tracking) -> list[Note]:
    """Notes on the 16th grid, swing removed, bar phase guessed, the first bar holding the first note."""
    from .sources import unswing

    def steps(times: np.ndarray) -> np.ndarray:
        positions = unswing(beat_positions(times, tracking.pulses), tracking.swing) / tracking.per_beat
        return np.round(positions * 4).astype(int)

    starts, ends = steps(onsets), steps(onsets + durations)
    first = int(starts.min()) // 4 * 4
    notes = [Note(int(p), int(s) - first, max(1, int(e - s)), 90)
             for p, s, e in zip(pitches, starts, ends, strict=True)]
    shift = downbeat_shift(notes, 4 // tracking.per_beat)
    if shift > min(n.start for n in notes):
        shift -= 16
    return [Note(n.pitch, n.start - shift, n.duration, n.velocity) for n in notes]


def read_wjazzd(root: Path) -> Iterator[Piece]:
    """Weimar Jazz Database solos as jazz melodies in 4/4, beat-tracked; poorly tracked solos skipped."""
    base = root / "wjazzd"
    with (base / "df_solos.csv").open() as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        path = base / "solos" / f"{row['base_name']}_solo.csv"
        if not path.exists():
            log.debug("skipping %s: no solo file", row["base_name"])
            continue
        piece = _solo(row, np.loadtxt(path, delimiter=",", ndmin=2))
        if piece is not None:
            yield piece


def _solo(row: dict[str, str], data: np.ndarray) -> Piece | None:
    """One solo as a piece, or None when it is too short or the tracker could not follow it."""
    from .sources import Piece, _bars_of, split_of

    name = row["base_name"]
    if len(data) < MIN_NOTES:
        log.debug("skipping %s: %d notes", name, len(data))
        return None
    data = data[np.argsort(data[:, 1])]
    tracking = track(data[:, 1], float(row["avgtempo"]))
    if tracking.share < MIN_ON_GRID:
        log.debug("skipping %s: %.0f%% of onsets on the tracked grid", name, 100 * tracking.share)
        return None
    notes = quantise(data[:, 0], data[:, 1], data[:, 2], tracking)
    meter = Meter(4, 4)
    tempo = 60.0 / float(np.median(np.diff(tracking.pulses))) / tracking.per_beat
    program = PROGRAMS.get(row["instrument"], 65)
    swing = tracking.swing if tracking.per_beat == 1 else 0.0  # a score's swing is of 8ths, not 16ths
    score = Score(tempo=round(tempo, 1), meter=meter, bars=_bars_of(notes, meter), swing=swing,
                  tracks=[Track(Role.MELODY, program, notes, row["instrument"])])
    score.key = key_of(score)
    ident = f"wjazzd/{name}"
    return Piece(score, "jazz", "wjazzd", ident, (True, False, False, False), split_of(ident))
