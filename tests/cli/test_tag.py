"""`cadenza tag FILE`: the SPEC §3 JSON for MIDI, MusicXML and ABC; bad files exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.commands import BadInput
from cli.commands.tag import tag_file
from cli.main import main
from engine.mir.features import FEATURE_NAMES
from engine.music.midi import write_midi
from engine.music.score import Score
from engine.render.musicxml import write_musicxml
from tests.engine.render.scores import demo_score

TAG_FIELDS = {"file", "style", "key", "key_strength", "tempo", "meter", "bars", "chords", "features", "sections"}


def run(capfd: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capfd.readouterr()
    return code, out, err


@pytest.fixture
def midi_file(tmp_path: Path) -> Path:
    path = tmp_path / "song.mid"
    write_midi(demo_score(8, tempo=96), path)
    return path


def test_tag_midi_json(capfd: pytest.CaptureFixture[str], midi_file: Path) -> None:
    code, out, err = run(capfd, "tag", str(midi_file), "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == TAG_FIELDS
    assert data["style"]["label"] in data["style"]["scores"]
    assert (data["key"], data["tempo"], data["meter"], data["bars"]) == ("C major", 96, "4/4", 8)
    assert len(data["chords"]) == 8 and list(data["features"]) == list(FEATURE_NAMES)
    assert data["sections"]["form"] == "AA"


@pytest.mark.parametrize(("name", "data"), [
    ("song.musicxml", write_musicxml(demo_score(4))),
    ("tune.abc", b"X:1\nT:Scale\nM:3/4\nL:1/8\nQ:1/4=100\nK:D\nDEF GAB|cde fga|d6|]\n"),
])
def test_tag_musicxml_and_abc(capfd: pytest.CaptureFixture[str], tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(capfd, "tag", str(path), "--json")
    assert code == 0 and err == ""
    assert set(json.loads(out)) == TAG_FIELDS


def test_abc_reads_its_own_key_tempo_and_meter(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "tune.abc"
    path.write_bytes(b"X:1\nT:Scale\nM:3/4\nL:1/8\nQ:1/4=100\nK:D\nDEF GAB|cde fga|d6|]\n")
    data = json.loads(run(capfd, "tag", str(path), "--json")[1])
    assert (data["key"], data["tempo"], data["meter"], data["bars"]) == ("D major", 100, "3/4", 3)


def test_human_output(capfd: pytest.CaptureFixture[str], midi_file: Path) -> None:
    code, out, _ = run(capfd, "tag", str(midi_file))
    assert code == 0
    assert out.startswith("song.mid: C major, 96 bpm, 4/4, 8 bars, form AA (4-bar phrases)\n")
    assert "\n  chords: C" in out and "| G7 |" in out and "swing 1.00 (unmeasured)" in out


@pytest.mark.parametrize(("name", "data", "needle"), [
    ("noise.mid", b"\x00garbage" * 64, "noise.mid: not a MIDI file: bad header"),
    ("empty.mid", b"", "empty.mid: empty file"),
    ("silent.mid", write_midi(demo_score(1).bar_slice(0, 0)), "silent.mid: file has no notes"),
    ("page.xml", b"<html><body>hello</body></html>", "page.xml: not a MusicXML file"),
    ("sound.wav", b"RIFF", "sound.wav: unsupported type .wav; accepted: .mid, .midi"),
    ("big.mid", b"MThd" + bytes(300 * 1024), "big.mid: file too large: 300 KiB; the limit is 256 KiB"),
])
def test_bad_files_exit_2_with_one_line(capfd: pytest.CaptureFixture[str], tmp_path: Path, name: str,
                                        data: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(capfd, "tag", str(path), "--json")
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1


def test_missing_file_exits_2(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capfd, "tag", str(tmp_path / "gone.mid"))
    assert code == 2 and out == "" and "gone.mid: cannot read" in err and err.count("\n") == 1


def test_style_appears_when_a_classifier_is_given(midi_file: Path) -> None:
    def classify(score: Score) -> dict[str, Any]:
        return {"label": "pop", "scores": {"pop": 0.9, "rock": 0.1}, "tempo_seen": score.tempo}

    assert tag_file(midi_file, classify)["style"] == {"label": "pop", "scores": {"pop": 0.9, "rock": 0.1},
                                                      "tempo_seen": 96}
    with pytest.raises(BadInput):
        tag_file(midi_file.with_suffix(".txt"), classify)
