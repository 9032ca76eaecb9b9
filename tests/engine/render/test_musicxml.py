from pathlib import Path

import pytest

from engine.music.score import Key, Meter, Note, Role, Score, Track
from engine.render import write_musicxml
from engine.render.musicxml import read_music21, read_musicxml
from tests.engine.render.scores import demo_score


def _notes(track: Track) -> list[tuple[int, int, int]]:
    return sorted((n.pitch, n.start, n.duration) for n in track.notes)


@pytest.mark.parametrize("meter", [Meter(4, 4), Meter(3, 4)])
def test_round_trip_keeps_notes_meter_tempo_key_and_chords(meter: Meter) -> None:
    score = demo_score(bars=4, meter=meter, tempo=96)
    data = write_musicxml(score)
    assert data.startswith(b"<?xml") and b"<score-partwise" in data
    back = read_musicxml(data)
    assert (back.meter, back.tempo, back.key, back.bars) == (meter, 96.0, Key(0, "major"), 4)
    assert [t.role for t in back.tracks] == [Role.MELODY, Role.HARMONY, Role.BASS, Role.DRUMS]
    for original, read in zip(score.tracks, back.tracks, strict=True):
        assert _notes(read) == _notes(original), original.role
    assert back.chords == score.chords
    assert [t.program for t in back.tracks[:3]] == [0, 48, 33]


def test_ties_across_bars_and_overlaps_survive(tmp_path: Path) -> None:
    melody = [Note(63, 0, 5), Note(66, 5, 3), Note(70, 8, 20), Note(75, 30, 6)]
    pad = [Note(51, 0, 24), Note(58, 0, 12), Note(54, 6, 18), Note(58, 12, 24)]
    score = Score(tempo=72, meter=Meter(6, 8), bars=3, key=Key(3, "minor"),
                  tracks=[Track(Role.MELODY, 73, melody), Track(Role.HARMONY, 0, pad)])
    path = tmp_path / "tied.musicxml"
    write_musicxml(score, path)
    back = read_musicxml(path)
    assert (back.meter, back.key) == (Meter(6, 8), Key(3, "minor"))
    assert [_notes(t) for t in back.tracks] == [_notes(t) for t in score.tracks]


def test_abc_tune_parses(tmp_path: Path) -> None:
    path = tmp_path / "tune.abc"
    path.write_text('X:1\nT:Test\nM:3/4\nL:1/8\nQ:1/4=96\nK:G\n"G"G2 AB c2|"D7"d3 e d2|"G"B4 G2|]\n')
    score = read_music21(path)
    assert (score.meter, score.tempo, score.key, score.bars) == (Meter(3, 4), 96.0, Key(7, "major"), 3)
    assert [(c.root, c.quality) for c in score.chords] == [(7, "maj"), (2, "7"), (7, "maj")]
    (melody,) = score.tracks
    assert melody.role is Role.MELODY
    assert _notes(melody)[:3] == [(67, 0, 4), (67, 32, 4), (69, 4, 2)]


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported"):
        read_music21(tmp_path / "song.mid")
