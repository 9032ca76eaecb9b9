"""The feature vector: fixed names, missing tracks, swing, backbeat, syncopation, speed."""

from __future__ import annotations

import io
import math
import statistics
import time

import numpy as np
import pretty_midi
import pytest

from engine.mir.features import FEATURE_NAMES, extract_features, swing_ratio_from_midi, syncopation
from engine.music.midi import write_midi
from engine.music.score import Meter, Note, Role, Score, Track
from tests.engine.render.scores import demo_score

from .pieces import cadence_piece, eighths, rock_beat, waltz


def performed(score: Score) -> pretty_midi.PrettyMIDI:
    return pretty_midi.PrettyMIDI(io.BytesIO(write_midi(score)))


def test_names_are_fixed_unique_and_all_present() -> None:
    features = extract_features(demo_score(4))
    assert tuple(features) == FEATURE_NAMES
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert all(math.isfinite(v) for v in features.values())


@pytest.mark.parametrize("score", [
    Score(bars=2),
    Score(bars=2, tracks=[Track(Role.DRUMS, 0, [Note(36, 0, 1), Note(38, 4, 1)])]),
    Score(bars=1, tracks=[Track(Role.MELODY, 0, [Note(60, 0, 4)])]),
], ids=["empty", "drums only", "one note"])
def test_missing_tracks_give_zeros_and_flags(score: Score) -> None:
    features = extract_features(score)
    assert tuple(features) == FEATURE_NAMES and all(math.isfinite(v) for v in features.values())
    for role in ("melody", "harmony", "bass", "drums"):
        present = score.track(Role(role)) is not None
        assert features[f"has_{role}"] == float(present)
        if not present:
            assert features[f"density_{role}"] == 0.0
    if score.track(Role.MELODY) is None:
        assert features["pitch_mean_melody"] == features["melody_interval_mean"] == 0.0


def test_pitch_classes_are_key_relative() -> None:
    in_c, in_e = extract_features(cadence_piece(0)), extract_features(cadence_piece(4))
    relative = [f"pc_{i}" for i in range(12)]
    assert [in_c[n] for n in relative] == pytest.approx([in_e[n] for n in relative])
    assert sum(in_c[n] for n in relative) == pytest.approx(1.0)
    assert in_c["pc_0"] == max(in_c[n] for n in relative)
    assert extract_features(cadence_piece(9, "minor"))["key_minor"] == 1.0 and in_c["key_minor"] == 0.0


def test_melody_statistics_of_a_scale() -> None:
    melody = [Note(60 + p, 2 * i, 2) for i, p in enumerate((0, 2, 4, 5, 7, 7, 4, 12))]
    f = extract_features(Score(bars=1, tracks=[Track(Role.MELODY, 0, melody)]))
    assert f["melody_step_share"] == pytest.approx(4 / 7) and f["melody_repeat_share"] == pytest.approx(1 / 7)
    assert f["melody_skip_share"] == pytest.approx(1 / 7) and f["melody_leap_share"] == pytest.approx(1 / 7)
    assert f["melody_up_share"] == pytest.approx(5 / 7) and f["melody_down_share"] == pytest.approx(1 / 7)
    assert f["melody_duration_mean"] == 0.5 and f["pitch_max_melody"] == 72 and f["density_melody"] == 8


@pytest.mark.parametrize(("swing", "ratio"), [(0.0, 1.0), (0.5, 1.4), (1.0, 2.0)])
@pytest.mark.parametrize("humanize", [0.0, 1.0])
def test_swing_ratio_is_measured_from_the_performance(swing: float, ratio: float, humanize: float) -> None:
    measured = swing_ratio_from_midi(performed(eighths(swing=swing, humanize=humanize)))
    assert measured == pytest.approx(ratio, abs=0.12 if humanize else 0.01)


def test_swing_feature_uses_the_measurement_when_given() -> None:
    swung = eighths(swing=1.0)
    assert extract_features(swung)["swing_ratio"] == pytest.approx(2.0)  # the score's own setting
    assert extract_features(swung)["swing_measured"] == 0.0
    straight_read = extract_features(eighths(), swing_ratio=swing_ratio_from_midi(performed(swung)))
    assert straight_read["swing_ratio"] == pytest.approx(2.0, abs=0.01) and straight_read["swing_measured"] == 1.0


def test_swing_needs_eighth_pairs() -> None:
    quarters = Score(bars=8, tracks=[Track(Role.MELODY, 0, [Note(60, 4 * i, 4) for i in range(32)])])
    assert swing_ratio_from_midi(performed(quarters)) is None
    assert swing_ratio_from_midi(performed(eighths(swing=1.0).bar_slice(0, 1))) is None  # only 4 pairs


def test_backbeat_is_high_for_a_rock_beat_and_low_for_a_waltz() -> None:
    rock, three = extract_features(rock_beat()), extract_features(waltz())
    assert rock["backbeat"] == 1.0 and three["backbeat"] == 0.0
    assert rock["kick_per_bar"] == 2 and rock["snare_per_bar"] == 2 and rock["hat_per_bar"] == 8
    assert rock["hat_16th_share"] == 0.0 and extract_features(rock_beat(sixteenth_hats=True))["hat_16th_share"] == 0.5
    assert three["meter_3_4"] == 1.0 and rock["meter_4_4"] == 1.0


def test_syncopation() -> None:
    meter, total = Meter(4, 4), 32
    assert syncopation(np.arange(0, total, 4), meter, total) == 0.0  # on the beats
    assert syncopation(np.arange(0, total, 2), meter, total) == 0.0  # every 8th: each off-beat is followed
    # "and of 2" held over beat 3 (twice) is syncopated; "and of 4" followed by the downbeat is not
    assert syncopation(np.array([0, 6, 14, 16, 22]), meter, total) == pytest.approx(2 / 5)
    f = extract_features(Score(bars=2, tracks=[Track(Role.MELODY, 0, [Note(60, s, 4) for s in (2, 6, 10, 14)])]))
    assert f["syncopation"] == 1.0 and f["onset_position_2"] == 1.0


def test_chord_vocabulary_from_symbols() -> None:
    f = extract_features(demo_score(8))  # C Am F G7, one per bar
    assert f["chord_seventh_share"] == f["chord_dominant_share"] == f["chord_minor_share"] == 0.25
    assert f["chord_diminished_share"] == 0.0 and f["chord_vocabulary"] == 4
    assert f["chord_changes_per_bar"] == pytest.approx(7 / 8)


def test_texture() -> None:
    f = extract_features(cadence_piece(0, bars=4))
    assert f["polyphony"] == pytest.approx(5.0) and f["silence_share"] == 0.0
    assert f["density_harmony"] == 3 and f["density_bass"] == 1 and f["pitch_min_bass"] == 36


def test_sixteen_bars_take_under_20_ms() -> None:
    score = demo_score(16)
    extract_features(score)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        extract_features(score)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.020
