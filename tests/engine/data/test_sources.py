"""Dataset readers: grammar helpers on known strings, and each reader on the real shared data."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from engine.data.encoding import encode
from engine.data.sources import (
    backbeat_phase,
    read_groove,
    SOURCES,
    estimate_swing,
    ewld_style,
    parse_rs200_harmony,
    roman_to_chord,
    unswing,
)
from engine.music.score import Meter, Note
from engine.settings import get_settings

DATASETS = get_settings().datasets_dir


@pytest.mark.parametrize(("token", "tonic", "expected"), [
    ("I", 0, (0, "maj")), ("IV", 7, (0, "maj")), ("vi", 0, (9, "min")), ("bVII", 0, (10, "maj")),
    ("V7", 0, (7, "7")), ("ii7", 2, (4, "m7")), ("viio", 0, (11, "dim")), ("V/V", 0, (2, "maj")),
    ("I64", 5, (5, "maj")), ("V11", 0, (7, "sus4")), ("#iv", 0, (6, "min")), ("xyz", 0, None),
])
def test_roman_numerals(token: str, tonic: int, expected: tuple[int, str] | None) -> None:
    assert roman_to_chord(token, tonic) == expected


def test_rs200_line_continuations_repeats_and_key_changes() -> None:
    bars = parse_rs200_harmony("[C] I | IV . | | R | [G] I V |")
    assert bars[0] == [(0, "maj")]
    assert bars[1] == [(5, "maj"), (5, "maj")]
    assert bars[2] == bars[1]  # an empty bar repeats the previous one
    assert bars[3] == [None]
    assert bars[4] == [(7, "maj"), (2, "maj")]


def test_swing_is_found_and_removed() -> None:
    beats = np.arange(32, dtype=float)
    straight = np.concatenate([beats, beats + 0.5])
    swung = np.concatenate([beats, beats + 2 / 3])
    assert estimate_swing(straight) == 0.0
    amount = estimate_swing(swung)
    assert amount > 0.8
    assert np.allclose(np.sort(unswing(swung, amount) % 1.0)[-5:], 0.5, atol=0.03)


def test_openewld_tags_map_to_styles() -> None:
    assert ewld_style({"Jazz", "Swing"}) == "jazz"
    assert ewld_style({"Pop", "Rhythm & Blues"}) == "blues"
    assert ewld_style({"Rock"}) is None  # OpenEWLD's "Rock" genre is too loose to trust
    assert ewld_style({"Pop", "Vocal"}) == "pop"


@pytest.mark.skipif(not DATASETS.exists(), reason="shared datasets not present")
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_each_reader_yields_labelled_encodable_pieces(name: str) -> None:
    pieces = list(itertools.islice(SOURCES[name](Path(DATASETS)), 3))
    assert pieces, f"{name} produced nothing"
    for piece in pieces:
        assert piece.score.bars >= 1
        assert piece.score.key is not None or name == "groove"
        seg = encode(piece.score, piece.present)
        assert seg.bars == piece.score.bars
        if piece.present[0]:
            assert (seg.melody >= 2).sum() > 0
        if piece.present[3]:
            assert seg.drums.sum() > 0


def test_any_folder_of_midi_and_musicxml_becomes_labelled_pieces(tmp_path: Path) -> None:
    from engine.data.sources import read_folder
    from engine.music.midi import write_midi
    from engine.music.score import Note, Role, Score, Track
    from engine.render.musicxml import write_musicxml

    score = Score(bars=2, tracks=[Track(Role.MELODY, 0, [Note(60 + i, i * 4, 4) for i in range(8)]),
                                  Track(Role.BASS, 33, [Note(36, 0, 16), Note(43, 16, 16)])])
    write_midi(score, tmp_path / "a.mid")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.musicxml").write_bytes(write_musicxml(score))
    (tmp_path / "notes.txt").write_text("not music")
    (tmp_path / "broken.mid").write_bytes(b"MThd garbage")
    pieces = list(read_folder(tmp_path, "jazz"))
    assert sorted(p.ident for p in pieces) == [f"{tmp_path.name}/a.mid", f"{tmp_path.name}/sub/b.musicxml"]
    for piece in pieces:
        assert piece.style == "jazz" and piece.present[0] and piece.score.key is not None
        assert encode(piece.score, piece.present).bars == 2


@pytest.mark.parametrize(("meter", "kicks", "snares"), [(Meter(4, 4), (0, 8), (4, 12)), (Meter(3, 4), (0,), (4, 8)),
                                                       (Meter(6, 8), (0,), (6,))])
def test_a_beat_starting_off_the_downbeat_is_shifted_onto_it(meter: Meter, kicks: tuple[int, ...],
                                                              snares: tuple[int, ...]) -> None:
    spb, late = meter.steps_per_bar, 4
    notes = [Note(pitch, late + bar * spb + pos, 1) for bar in range(4)
             for pitch, places in ((36, kicks), (38, snares)) for pos in places]
    assert backbeat_phase(notes, meter) == late


@pytest.mark.skipif(not DATASETS.exists(), reason="shared datasets not present")
def test_groove_gives_beats_in_three_four_and_six_eight() -> None:
    meters = {str(p.score.meter) for p in read_groove(Path(DATASETS))}
    assert meters == {"4/4", "3/4", "6/8"}
