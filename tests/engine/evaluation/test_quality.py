"""Quality metrics and novelty on hand-built token arrays with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.data.encoding import BASS_RANGE, HOLD, MELODY_RANGE, N_DRUMS, PITCH0, REST, SLOT, chord_token
from engine.evaluation.quality import (
    Pieces,
    distinct_chords,
    drum_pattern_pct,
    empty_bars_pct,
    groove_consistency,
    melody_windows,
    novelty,
    pitch_class_entropy,
    polyphony,
    qualified_notes_pct,
    quality_metrics,
    repeated_bars_pct,
    scale_consistency,
    segment_metrics,
    sounding,
    tonal_centroid,
    tonal_distance,
    used_pitch_classes,
    within,
)

C_MAJOR = chord_token(0, "maj")


def mel(pitch: int) -> int:
    return PITCH0 + pitch - MELODY_RANGE[0]


def bas(pitch: int) -> int:
    return PITCH0 + pitch - BASS_RANGE[0]


def line(*events: tuple[int, int], bars: int = 1, lo: int = MELODY_RANGE[0]) -> np.ndarray:
    """Token steps [bars * 16] from (pitch, length in steps) events; pitch 0 is a rest."""
    out = np.full(bars * SLOT, REST, dtype=np.int64)
    at = 0
    for pitch, length in events:
        if pitch:
            out[at] = PITCH0 + pitch - lo
            out[at + 1:at + length] = HOLD
        at += length
    return out


def pieces(melody: np.ndarray | None = None, bass: np.ndarray | None = None, chords: np.ndarray | None = None,
           drums: np.ndarray | None = None, bars: int = 1, present: tuple[bool, ...] = (True,) * 4) -> Pieces:
    """One segment of `bars` 4/4 bars; missing tracks are silent."""
    def steps(a: np.ndarray | None) -> np.ndarray:
        return np.zeros((1, bars, SLOT), np.int64) if a is None else a.reshape(1, bars, SLOT)

    return Pieces.of(steps(melody), steps(bass),
                     np.zeros((1, bars, 2), np.int64) if chords is None else chords.reshape(1, bars, 2),
                     np.zeros((1, bars, SLOT, N_DRUMS)) if drums is None else drums.reshape(1, bars, SLOT, N_DRUMS),
                     present=np.array([present]))


def test_a_bar_of_c_major_triads_uses_three_pitch_classes() -> None:
    p = pieces(chords=np.array([C_MAJOR, C_MAJOR]), melody=line((60, 4), (62, 4), (64, 4), (60, 4)))
    assert used_pitch_classes(p, "chords") == 3
    assert used_pitch_classes(p, "melody") == 3


def test_empty_bars_count_silence_but_not_a_note_held_over_the_bar_line() -> None:
    p = pieces(melody=line((60, 4), bars=2), chords=np.array([C_MAJOR, C_MAJOR, 0, 0]), bars=2)
    assert empty_bars_pct(p, "melody") == 50.0
    assert empty_bars_pct(p, "chords") == 50.0
    assert empty_bars_pct(p, "drums") == 100.0
    held = pieces(melody=line((60, 20), bars=2), bars=2)
    assert empty_bars_pct(held, "melody") == 0.0
    assert used_pitch_classes(p, "bass") is None  # silent everywhere: no non-empty bar to average over


def test_tracks_a_segment_lacks_give_none() -> None:
    p = pieces(melody=line((60, 16)), bass=line((36, 16), lo=BASS_RANGE[0]), present=(True, False, True, False))
    assert empty_bars_pct(p, "bass") is None
    assert qualified_notes_pct(p, "bass") is None
    assert tonal_distance(p, "melody", "bass") is None
    assert drum_pattern_pct(p) is None
    report = quality_metrics(p)
    assert report["used_pitch_classes"]["bass"] is None and report["used_pitch_classes"]["melody"] == 1


def test_every_note_qualifies_on_a_16th_grid_but_not_every_note_is_an_8th() -> None:
    p = pieces(melody=line((60, 1), (62, 1), (64, 2), (65, 4), (0, 4), (67, 4)))
    assert qualified_notes_pct(p, "melody") == 100.0
    assert qualified_notes_pct(p, "melody", min_steps=2) == 60.0


def test_drum_pattern_is_the_share_of_hits_on_8th_notes() -> None:
    on_8ths = np.zeros((SLOT, N_DRUMS))
    on_8ths[0::2, 2] = 1
    on_8ths[[0, 8], 0] = 1
    assert drum_pattern_pct(pieces(drums=on_8ths)) == 100.0
    on_8ths[[1, 3, 5], 2] = 1  # three 16th offbeats among 13 hits
    assert drum_pattern_pct(pieces(drums=on_8ths)) == pytest.approx(100 * 10 / 13)


def test_tonal_distance_is_zero_for_the_same_chroma_and_known_for_a_tritone() -> None:
    waltz = np.full((1, 1, SLOT), REST)
    waltz[0, 0, :12] = line((60, 4), (64, 4), (67, 4))[:12]  # C E G, a beat each, in a 3/4 bar
    triad = Pieces.of(waltz, np.zeros_like(waltz), np.array([[[C_MAJOR, C_MAJOR]]]),
                      np.zeros((1, 1, SLOT, N_DRUMS)), spb=12)
    assert tonal_distance(triad, "melody", "chords") == pytest.approx(0.0)
    root_only = pieces(melody=line((60, 16)), chords=np.array([C_MAJOR, C_MAJOR]))
    assert tonal_distance(root_only, "melody", "chords") > 0.3
    arpeggio = pieces(melody=line((60, 5), (64, 5), (67, 6)), bass=line((36, 5), (40, 5), (43, 6), lo=BASS_RANGE[0]))
    assert tonal_distance(arpeggio, "melody", "bass") == pytest.approx(0.0)
    c, f_sharp = np.eye(12)[0], np.eye(12)[6]
    assert np.linalg.norm(tonal_centroid(c) - tonal_centroid(f_sharp)) == pytest.approx(2 * math.sqrt(2))


def test_scale_consistency_of_a_c_major_scale_is_one() -> None:
    scale = pieces(melody=line(*[(p, 2) for p in (60, 62, 64, 65, 67, 69, 71, 72)]))
    assert scale_consistency(scale)[0] == pytest.approx(1.0)
    with_f_sharp = pieces(melody=line(*[(p, 2) for p in (60, 62, 64, 65, 66, 67, 69, 71)]))
    assert scale_consistency(with_f_sharp)[0] == pytest.approx(7 / 8)


def test_pitch_class_entropy_counts_onsets_in_bits() -> None:
    four = pieces(melody=line((60, 4), (62, 4), (64, 4), (65, 4)))
    assert pitch_class_entropy(four)[0] == pytest.approx(2.0)
    repeated = pieces(melody=line((60, 1), (72, 1), (48, 14)))
    assert pitch_class_entropy(repeated)[0] == pytest.approx(0.0)
    held_chord = pieces(chords=np.array([C_MAJOR, C_MAJOR]))  # one chord, counted once: three tones
    assert pitch_class_entropy(held_chord)[0] == pytest.approx(math.log2(3))
    chord_and_note = pieces(melody=line((0, 4), (62, 4)), chords=np.array([C_MAJOR, C_MAJOR]))
    assert pitch_class_entropy(chord_and_note)[0] == pytest.approx(2.0)  # C E G once, D once
    two_chords = pieces(chords=np.array([C_MAJOR, chord_token(7, "maj")]))  # C E G, then G B D
    g_twice = -(4 * (1 / 6) * math.log2(1 / 6) + (1 / 3) * math.log2(1 / 3))
    assert pitch_class_entropy(two_chords)[0] == pytest.approx(g_twice)
    assert math.isnan(pitch_class_entropy(pieces())[0])


def test_polyphony_counts_distinct_pitches_where_anything_sounds() -> None:
    band = pieces(melody=line((76, 16)), bass=line((36, 16), lo=BASS_RANGE[0]), chords=np.array([C_MAJOR, C_MAJOR]))
    assert polyphony(band)[0] == pytest.approx(5.0)  # E5 + C2 + C E G
    doubled = pieces(melody=line((64, 16)), chords=np.array([C_MAJOR, C_MAJOR]))
    assert polyphony(doubled)[0] == pytest.approx(3.0)  # E4 doubles the chord's E
    half = pieces(melody=line((60, 8)))
    assert polyphony(half)[0] == pytest.approx(1.0)  # silent steps are not counted
    only_melody = np.array([True, False, False, False])
    assert polyphony(band, only_melody)[0] == pytest.approx(1.0)


def test_groove_consistency_compares_consecutive_bars_onsets() -> None:
    quarters = line((60, 4), (62, 4), (64, 4), (65, 4))
    assert groove_consistency(pieces(melody=np.tile(quarters, 2), bars=2))[0] == pytest.approx(1.0)
    shifted = line((0, 2), (60, 4), (62, 4), (64, 4), (65, 2))
    assert groove_consistency(pieces(melody=np.concatenate([quarters, shifted]), bars=2))[0] == pytest.approx(0.5)


def test_textures_weight_the_track_combinations() -> None:
    band = pieces(melody=line((76, 16)), bass=line((36, 16), lo=BASS_RANGE[0]), chords=np.array([C_MAJOR, C_MAJOR]))
    mix = {(True, False, False, False): 0.75, (True, True, True, False): 0.25}
    assert segment_metrics(band, mix)["polyphony"] == pytest.approx(0.75 * 1 + 0.25 * 5)


def test_sounding_follows_holds_across_bar_lines_but_not_stray_holds() -> None:
    tokens = np.array([[[mel(60), HOLD, REST, HOLD], [HOLD, mel(62), HOLD, REST]]])
    assert sounding(tokens).tolist() == [[[mel(60), mel(60), 0, 0], [0, mel(62), mel(62), 0]]]


def test_short_bars_drop_their_padding_steps() -> None:
    melody = np.full((1, 2, SLOT), REST)
    melody[0, 0, 0], melody[0, 0, 1:12], melody[0, 1, :12] = mel(60), HOLD, HOLD  # one note over two 3/4 bars
    p = Pieces.of(melody, np.zeros_like(melody), np.zeros((1, 2, 2)), np.zeros((1, 2, SLOT, N_DRUMS)), spb=12)
    assert p.spb == 12 and empty_bars_pct(p, "melody") == 0.0
    assert qualified_notes_pct(p, "melody", min_steps=24) == 100.0


def test_no_segments_give_none_everywhere() -> None:
    steps = np.zeros((0, 8, SLOT))
    none = Pieces.of(steps, steps, np.zeros((0, 8, 2)), np.zeros((0, 8, SLOT, N_DRUMS)))
    report = quality_metrics(none)
    assert report["segments"] == 0 and report["polyphony"] is None and report["empty_bars_pct"]["melody"] is None
    assert melody_windows(none.melody) == []


def test_sections_cut_pieces_into_8_bars() -> None:
    p = pieces(melody=np.tile(line((60, 16)), 16), bars=16).sections(8)
    assert (p.n, p.bars) == (2, 8) and p.present.shape == (2, 4)


def test_novelty_is_transposition_invariant() -> None:
    tune = line((60, 4), (62, 2), (64, 2), (65, 4), (67, 4), (69, 8), (67, 8), (64, 16), (62, 16), bars=4)
    known = set(melody_windows(tune.reshape(1, 4, SLOT)))
    assert len(known) == 1
    up_a_fourth = line((65, 4), (67, 2), (69, 2), (70, 4), (72, 4), (74, 8), (72, 8), (69, 16), (67, 16), bars=4)
    assert novelty(melody_windows(up_a_fourth.reshape(1, 4, SLOT)), known) == 0.0
    new_rhythm = line((65, 2), (67, 4), (69, 2), (70, 4), (72, 4), (74, 8), (72, 8), (69, 16), (67, 16), bars=4)
    assert novelty(melody_windows(new_rhythm.reshape(1, 4, SLOT)), known) == 1.0
    sparse = line((60, 32), (62, 32), bars=4)
    assert melody_windows(sparse.reshape(1, 4, SLOT)) == [] and novelty([], known) is None


def test_novelty_windows_hop_one_bar() -> None:
    tune = line(*[(60 + (i % 5), 4) for i in range(24)], bars=6)
    assert len(melody_windows(tune.reshape(1, 6, SLOT))) == 3


def test_within_25_percent_is_relative_with_a_point_of_slack_for_percentages() -> None:
    data = {"segments": 9, "polyphony": 4.0, "groove_consistency": 0.8,
            "empty_bars_pct": {"melody": 0.02, "bass": None}}
    gen = {"segments": 2, "polyphony": 5.0, "groove_consistency": 0.5, "empty_bars_pct": {"melody": 0.9, "bass": 3.0}}
    assert within(gen, data) == {"polyphony": True, "groove_consistency": False, "empty_bars_pct.melody": True,
                                 "empty_bars_pct.bass": None}
    assert within({**gen, "empty_bars_pct": {"melody": 1.5, "bass": 3.0}}, data)["empty_bars_pct.melody"] is False


def test_chord_variety_tells_a_loop_from_a_progression() -> None:
    g, f = chord_token(7, "maj"), chord_token(5, "maj")
    loop = pieces(chords=np.array([g, f] * 4), bars=4)
    assert distinct_chords(loop) == 2 and repeated_bars_pct(loop) == 100.0
    walk = pieces(chords=np.array([C_MAJOR, C_MAJOR, f, f, g, g, C_MAJOR, 0]), bars=4)
    assert distinct_chords(walk) == 3 and repeated_bars_pct(walk) == 0.0
    assert distinct_chords(pieces(chords=np.zeros(2, np.int64), present=(True, True, False, True))) is None
