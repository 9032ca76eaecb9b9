"""The style tagger: texture views, training, calibration, and the shipped checkpoint on real files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.data.encoding import chord_token
from engine.mir.loading import load_score
from engine.mir.tagger import (
    STYLE_NAMES,
    TAGGER_FEATURES,
    StyleTagger,
    classify,
    score_views,
    segment_views,
    texture_views,
    windowed_views,
)
from engine.models.registry import load_style_tagger
from engine.music.score import ChordLabel, Meter, Note, Role, Score, Track
from engine.settings import get_settings
from engine.training.train_tagger import calibrate, fit, scores

FOUR = Meter(4, 4)


def test_views_never_include_a_bass_line() -> None:
    melody = [Note(60 + i, i * 4, 4) for i in range(8)]
    views = texture_views(melody, [ChordLabel(0, 0, "maj")], [Note(36, 0, 1)], FOUR, 2)
    assert set(views) == {"melody", "chords", "drums", "leadsheet"}
    assert all(t.role is not Role.BASS for v in views.values() for t in v.tracks)
    assert len(views["chords"].track(Role.HARMONY).notes) == 4 * 3  # four half bars of a triad  # type: ignore[union-attr]


def test_segment_views_follow_present_tracks() -> None:
    melody = np.zeros((2, 16), dtype=np.int64)
    melody[0, 0] = 20
    chords = np.full((2, 2), chord_token(7, "7"), dtype=np.int64)
    drums = np.zeros((2, 16, 9), dtype=np.float32)
    assert set(segment_views(melody, chords, drums, FOUR, (True, False, True, False))) == {
        "melody", "chords", "leadsheet"}
    assert set(segment_views(melody, chords, drums, FOUR, (False, False, True, False))) == {"chords"}


@pytest.mark.parametrize(("bars", "hop", "starts"), [(16, 8, [0, 8]), (16, None, [0, 4, 8]), (12, 8, [0, 4]),
                                                    (13, None, [0, 4, 5]), (4, 8, [0])])
def test_windows_are_eight_bars_and_hear_every_bar(bars: int, hop: int | None, starts: list[int]) -> None:
    """The tagger learnt from 8-bar segments; a longer piece is heard in 8-bar windows, the last ending with it."""
    melody = np.zeros((bars, 16), dtype=np.int64)
    melody[:, 0] = 20 + np.arange(bars)  # each bar its own pitch, so a window names its first bar
    chords = np.full((bars, 2), chord_token(0, "maj"), dtype=np.int64)
    windows = windowed_views(melody, chords, np.zeros((bars, 16, 9), dtype=np.float32), FOUR,
                             (True, False, True, False), hop_bars=hop)
    assert [w["melody"].bars for w in windows] == [min(8, bars)] * len(starts)
    firsts = [w["melody"].track(Role.MELODY).notes[0].pitch for w in windows]  # type: ignore[union-attr]
    assert [p - firsts[0] for p in firsts] == starts


def test_fit_learns_separable_styles_and_calibration_is_sane() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 3, (len(STYLE_NAMES), len(TAGGER_FEATURES)))
    y = np.repeat(np.arange(len(STYLE_NAMES)), 40)
    x = centres[y] + rng.normal(0, 1, (len(y), len(TAGGER_FEATURES)))
    tagger = fit(x[::2], y[::2], epochs=150)
    temperature = calibrate(tagger, x[1::2], y[1::2])
    report = scores(tagger, x[1::2], y[1::2])
    assert report["accuracy"] > 0.95 and 0.3 <= temperature <= 5.0 and report["ece"] < 0.2


def test_classify_combines_views_into_one_distribution() -> None:
    tagger = StyleTagger()
    score = Score(bars=2, tracks=[Track(Role.MELODY, 0, [Note(60, 0, 8), Note(64, 8, 8), Note(67, 16, 16)])])
    verdict = classify(tagger, score_views(score))
    assert verdict.label in STYLE_NAMES
    assert sum(verdict.scores.values()) == pytest.approx(1.0)


SHIPPED = load_style_tagger(get_settings().checkpoint_dir)
DATASETS = get_settings().datasets_dir


def _held_out_files(root: Path) -> dict[str, list[Path]]:
    """The first six held-out pieces (split_of == "valid", never trained on) of three sources."""
    import sqlite3

    from engine.data.sources import ewld_style, split_of

    folk = [p for p in sorted((root / "nottingham/MIDI").glob("*.mid")) if split_of(f"nottingham/{p.stem}") == "valid"]
    pop = [d / f"{d.name}.mid" for d in sorted((root / "pop909").iterdir())
           if d.is_dir() and split_of(f"pop909/{d.name}") == "valid"]
    tags: dict[str, set[str]] = {}
    with sqlite3.connect(root / "openewld/OpenEWLD.db") as db:
        for path, tag in db.execute("SELECT w.path_leadsheet, g.genre FROM works w JOIN work_genres g ON g.id = w.id "
                                    "UNION SELECT w.path_leadsheet, s.style FROM works w JOIN work_style s "
                                    "ON s.id = w.id"):
            tags.setdefault(path, set()).add(tag)
    jazz = [root / "openewld" / p for p, t in sorted(tags.items())
            if ewld_style(t) == "jazz" and split_of(f"openewld/{p}") == "valid" and (root / "openewld" / p).exists()]
    return {"folk": folk[:6], "pop": pop[:6], "jazz": jazz[:6]}


@pytest.mark.skipif(SHIPPED is None or not DATASETS.exists(), reason="needs the shipped tagger and the datasets")
def test_shipped_tagger_beats_chance_on_real_held_out_files() -> None:
    assert SHIPPED is not None
    groups = _held_out_files(Path(DATASETS))
    right = {style: sum(classify(SHIPPED, score_views(load_score(f)[0])).label == style for f in files)
             for style, files in groups.items()}
    # Measured 2026-11-24: folk 5/6, pop 3/6, jazz 0/6 (jazz lead sheets read as lofi/blues, whose
    # examples come from the same source). Chance is 1/7; see docs/models.md.
    assert right["folk"] >= 4
    assert sum(right.values()) >= 0.4 * sum(len(f) for f in groups.values())


def test_a_piece_with_nothing_to_judge_gets_a_uniform_verdict() -> None:
    verdict = classify(StyleTagger(), [{}])
    assert set(verdict.scores.values()) == {1 / len(STYLE_NAMES)}
