"""Weimar Jazz Database reader: the beat tracker on synthetic performances, and one real solo."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.data.encoding import encode
from engine.data.wjazzd import beat_positions, downbeat_shift, fit_swing, quantise, read_wjazzd, track
from engine.music.score import Note, Role
from engine.settings import get_settings

DATASETS = get_settings().datasets_dir
TEMPO = 180.0


def performance(seed: int, drift: float, jitter: float) -> tuple[np.ndarray, np.ndarray]:
    """Onset times (s) of a swung 8th-note line, and the 16th step each note was meant on.

    256 beats around TEMPO; the tempo drifts by ±`drift` over the line (one slow sine), off-beats
    fall at 0.62 of the beat, onsets are off by `jitter` s (sd), a quarter of the 8ths are rests."""
    rng = np.random.default_rng(seed)
    beats = np.arange(257)
    tempo = TEMPO * (1 + drift * np.sin(2 * np.pi * beats / 256 + rng.uniform(0, 2 * np.pi)))
    beat_times = 1.0 + np.concatenate([[0.0], np.cumsum(60.0 / tempo[:-1])])
    eighths = np.flatnonzero(rng.random(512) > 0.25)
    swung = eighths // 2 + np.where(eighths % 2, 0.62, 0.0)
    times = np.interp(swung, beats, beat_times) + rng.normal(0, jitter, len(eighths))
    return times, eighths * 2


@pytest.mark.parametrize(("seed", "drift", "jitter"), [(0, 0.06, 0.015), (1, 0.06, 0.015), (2, 0.1, 0.02)])
def test_tracker_follows_a_drifting_swung_line(seed: int, drift: float, jitter: float) -> None:
    times, steps = performance(seed, drift, jitter)
    _, untracked = fit_swing(times * TEMPO / 60.0)  # the average tempo alone, as the data gives it
    tracking = track(times, TEMPO)
    notes = quantise(np.full(len(times), 70), times, np.full(len(times), 0.1), tracking)
    offsets = np.array([n.start for n in notes]) - steps
    values, counts = np.unique(offsets, return_counts=True)
    assert untracked < 0.7
    assert tracking.per_beat == 1 and tracking.swing > 0.4
    assert tracking.share >= 0.9
    assert counts.max() / len(notes) >= 0.9  # one offset for nearly every note: the right 16th steps
    assert values[counts.argmax()] % 4 == 0  # and on the beat, not half a beat out (only the bar is unknown)


def test_beat_positions_extrapolate_past_the_tracked_beats() -> None:
    beats = np.array([1.0, 1.5, 2.0, 2.5])
    assert np.allclose(beat_positions(np.array([0.5, 1.25, 3.0]), beats), [-1.0, 0.5, 4.0])


def test_downbeat_goes_where_the_long_notes_are() -> None:
    notes = [Note(60, 4 + 16 * bar + beat, 6 if beat in (0, 8) else 1) for bar in range(4) for beat in (0, 2, 8, 10)]
    assert downbeat_shift(notes, 4) in (4, 12)
    assert downbeat_shift(notes, 2) in (4, 12)


@pytest.mark.skipif(not (DATASETS / "wjazzd").exists(), reason="shared datasets not present")
def test_a_real_solo_becomes_an_encodable_jazz_melody() -> None:
    piece = next(itertools.islice(read_wjazzd(DATASETS), 1))
    assert piece.style == "jazz" and piece.present == (True, False, False, False)
    assert piece.ident.startswith("wjazzd/") and piece.score.key is not None
    melody = piece.score.track(Role.MELODY)
    assert melody is not None and len(melody.notes) >= 32
    assert min(n.start for n in melody.notes) >= 0
    seg = encode(piece.score, piece.present)
    assert seg.bars == piece.score.bars
    assert (seg.melody >= 2).sum() == len({n.start for n in melody.notes})
