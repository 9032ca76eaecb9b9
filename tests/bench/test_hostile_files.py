"""The hostile-upload corpus of bench/hostile_files.py, and the reader's answers to its crafted MIDI files."""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest

from bench.hostile_files import cases
from engine.mir.loading import UnreadableFile, load_score_bytes
from engine.settings import get_settings

DATASETS = get_settings().datasets_dir
pytestmark = pytest.mark.skipif(not (DATASETS / "nottingham").exists(), reason="training data not present")


def test_the_corpus_is_hundreds_of_files_in_every_format_and_the_same_for_a_seed() -> None:
    corpus = list(cases(DATASETS, seed=0))
    kinds = Counter(name.rsplit(".", 1)[1] for _, name, _ in corpus)
    assert len(corpus) >= 250 and set(kinds) == {"mid", "musicxml", "mxl", "abc"}
    assert [data for *_, data in corpus[:60]] == [data for *_, data in list(cases(DATASETS, seed=0))[:60]]


def test_crafted_midi_files_are_refused_with_a_reason_or_read_within_the_limits() -> None:
    outcomes = Counter()
    for category, name, data in cases(DATASETS, seed=0):
        if category != "crafted MIDI":
            continue
        try:
            score, _ = load_score_bytes(data, name)
            assert any(track.notes for track in score.tracks)
            outcomes["read"] += 1
        except UnreadableFile as exc:
            assert str(exc) and "\n" not in str(exc) and "Traceback" not in str(exc)
            outcomes["refused"] += 1
    assert outcomes["refused"] >= 15 and not multiprocessing.active_children()
