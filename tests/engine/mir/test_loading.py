"""Loading untrusted files: every format, and a specific refusal for each kind of bad file."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import time
import zipfile
from pathlib import Path

import pytest

from engine.mir import loading
from engine.mir.loading import MAX_BYTES, UnreadableFile, load_score, load_score_bytes
from engine.music.midi import write_midi
from engine.music.score import Meter, Score
from engine.render.musicxml import write_musicxml
from engine.settings import get_settings
from tests.engine.render.scores import demo_score

ABC = b"X:1\nT:Scale\nM:3/4\nL:1/8\nK:G\nGABc dB|gfed cB|G6|]\n"
NOT_MUSICXML = b"<?xml version='1.0'?><html><body>not a score</body></html>"
RESTS_MUSICXML = (b"<?xml version='1.0'?><score-partwise><part-list><score-part id='P1'><part-name>x</part-name>"
                  b"</score-part></part-list><part id='P1'><measure number='1'><attributes><divisions>1</divisions>"
                  b"</attributes><note><rest/><duration>4</duration></note></measure></part></score-partwise>")
BROKEN_MUSICXML = b"<?xml version='1.0'?><score-partwise><part-list><score-part id='P1'></part-list>"


def _mxl(xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/container.xml", '<?xml version="1.0"?><container><rootfiles>'
                         '<rootfile full-path="score.musicxml"/></rootfiles></container>')
        archive.writestr("score.musicxml", xml)
    return buffer.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_midi_gives_the_score_and_the_performance(tmp_path: Path) -> None:
    score, midi = load_score(_write(tmp_path, "a.MID", write_midi(demo_score(4, meter=Meter(3, 4), tempo=90))))
    assert midi is not None and midi.get_end_time() == pytest.approx(4 * 3 * 60 / 90)
    assert score.bars == 4 and score.meter == Meter(3, 4) and score.tempo == pytest.approx(90, abs=0.01)


@pytest.mark.parametrize(("name", "data"), [
    ("a.musicxml", write_musicxml(demo_score(2))),
    ("a.xml", write_musicxml(demo_score(2))),
    ("a.mxl", _mxl(write_musicxml(demo_score(2)))),
])
def test_musicxml(tmp_path: Path, name: str, data: bytes) -> None:
    score, midi = load_score(_write(tmp_path, name, data))
    assert midi is None and score.bars == 2 and len(score.chords) == 2


def test_abc(tmp_path: Path) -> None:
    score, midi = load_score(_write(tmp_path, "tune.abc", ABC))
    assert midi is None and score.meter == Meter(3, 4) and score.bars == 3
    assert [n.pitch for n in score.tracks[0].notes][:4] == [67, 69, 71, 72]


@pytest.mark.skipif(not (get_settings().datasets_dir / "openewld").is_dir(), reason="OpenEWLD not available")
def test_a_real_lead_sheet() -> None:
    path = next((get_settings().datasets_dir / "openewld" / "dataset").glob("*/*/*.mxl"))
    score, _ = load_score(path)
    assert score.tracks and score.chords


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.mid", b"", "empty file"),
    ("blank.abc", b"\n \n", "empty file"),
    ("noise.mid", bytes(range(256)) * 4, "not a MIDI file: bad header"),
    ("cut.mid", write_midi(demo_score(4))[:300], "not a readable MIDI file: it ends too early"),
    ("silent.mid", write_midi(Score(bars=2)), "file has no notes"),
    ("trackless.mid", b"MThd\x00\x00\x00\x06\x00\x01\x00\x00\x01\xe0", "not a readable MIDI file: it has no tracks"),
    ("division0.mid", write_midi(demo_score(1))[:12] + b"\x00\x00" + write_midi(demo_score(1))[14:],  # 0 ticks a beat
     "not a readable MIDI file: its timing is invalid (a tempo or time division of zero)"),
    ("page.xml", NOT_MUSICXML, "not a MusicXML file: no <score-partwise> or <score-timewise> element"),
    ("broken.musicxml", BROKEN_MUSICXML, "not a readable MusicXML file: "),
    ("entities.xml", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><score-partwise>&a;</score-partwise>",
     "MusicXML with entity declarations is not accepted"),
    ("rests.musicxml", RESTS_MUSICXML, "file has no notes"),
    ("zip.mxl", b"<score-partwise/>", "not a compressed MusicXML file: not a zip archive"),
    ("tune.abc", b"X:1\nT:no key field\nabc|\n", "not an ABC file: no K: (key) field"),
    ("song.wav", b"RIFF....WAVE", "unsupported type .wav; accepted: .mid, .midi, .mxl, .musicxml, .xml, .abc"),
    ("song", b"MThd", "unsupported type (none); accepted: "),
])
def test_bad_files_are_refused_with_a_specific_reason(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(UnreadableFile) as info:
        load_score(_write(tmp_path, name, data))
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_oversized_files_are_refused_unread(tmp_path: Path) -> None:
    midi = write_midi(demo_score(1))
    path = _write(tmp_path, "big.mid", midi + bytes(300 * 1024 - len(midi)))
    with pytest.raises(UnreadableFile, match=r"^file too large: 300 KiB; the limit is 256 KiB$"):
        load_score(path)
    with pytest.raises(UnreadableFile, match="file too large"):
        load_score_bytes(bytes(MAX_BYTES + 1), "big.mid")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="cannot read nothing.mid"):
        load_score(tmp_path / "nothing.mid")


def test_note_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "MAX_NOTES", 10)
    with pytest.raises(UnreadableFile, match="too many notes: 141; the limit is 10"):
        load_score_bytes(write_midi(demo_score(4)), "a.mid")


def _sleep(data: bytes, suffix: str) -> loading.Loaded:
    time.sleep(60)
    raise AssertionError("not reached")


def _allocate(data: bytes, suffix: str) -> loading.Loaded:
    hog = bytearray(2 * loading.MEMORY_LIMIT_BYTES)
    raise AssertionError(f"allocated {len(hog)} bytes")


def _die(data: bytes, suffix: str) -> loading.Loaded:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("not reached")


def test_a_hanging_parse_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "_parse", _sleep)
    monkeypatch.setattr(loading, "PARSE_TIMEOUT_S", 0.3)
    start = time.monotonic()
    with pytest.raises(UnreadableFile, match=r"^file took longer than 0.3 s to read$"):
        load_score_bytes(write_midi(demo_score(1)), "a.mid")
    assert time.monotonic() - start < 2 and not multiprocessing.active_children()


def test_a_parse_over_the_memory_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "_parse", _allocate)
    with pytest.raises(UnreadableFile, match=r"^file needs more than 512 MiB to read$"):
        load_score_bytes(write_midi(demo_score(1)), "a.mid")


def test_a_crashing_parser_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "_parse", _die)
    with pytest.raises(UnreadableFile, match="the reader crashed"):
        load_score_bytes(write_midi(demo_score(1)), "a.mid")
