"""End to end with the shipped model: exact bars, meter and tempo; reproducible; audio matches MIDI."""

from __future__ import annotations

import io
from pathlib import Path

import pretty_midi
import pytest
import soundfile

from engine.compose import Composer
from engine.mir.tagger import STYLE_NAMES, StyleScores
from engine.render.audio import TAIL_SECONDS
from engine.requests import parse_request


@pytest.mark.parametrize("text", ["jazz 16 bars", "waltz 8 bars in F", "folk jig 6/8 4 bars", "sad lofi 90 bpm 5 bars"])
def test_midi_has_exactly_the_requested_bars_meter_and_tempo(composer: Composer, tmp_path: Path, text: str) -> None:
    request = parse_request(text, seed=11)
    result = composer.compose(request, tmp_path)
    pm = pretty_midi.PrettyMIDI(str(result.files["midi"]))
    ts = pm.time_signature_changes[0]
    assert (ts.numerator, ts.denominator) == (request.meter.numerator, request.meter.denominator)
    tempo = pm.get_tempo_changes()[1]
    assert list(tempo) == pytest.approx([request.tempo], abs=0.01)  # MIDI stores whole microseconds per beat
    bar_seconds = 60 / request.tempo * 4 * request.meter.numerator / request.meter.denominator
    assert pm.get_end_time() == pytest.approx(request.bars * bar_seconds, abs=1e-3)
    assert any(i.notes for i in pm.instruments if not i.is_drum), "the model wrote no pitched notes"
    assert result.tags["bars"] == request.bars


def test_jazz_has_a_swung_band_with_drums_on_channel_10(composer: Composer, tmp_path: Path) -> None:
    result = composer.compose(parse_request("jazz 16 bars", seed=5), tmp_path)
    assert result.score.swing > 0
    pm = pretty_midi.PrettyMIDI(str(result.files["midi"]))
    drums = [i for i in pm.instruments if i.is_drum]
    assert len(drums) == 1 and drums[0].notes, "jazz needs a drum kit playing"
    assert {i.program for i in pm.instruments if not i.is_drum} >= {66, 32}  # tenor sax, acoustic bass
    raw = result.files["midi"].read_bytes()
    assert _channel_of_drum_notes(raw) == {9}


def _channel_of_drum_notes(raw: bytes) -> set[int]:
    """Channels carrying percussion-range note-ons in the track named 'drums'."""
    import mido

    channels = set()
    for track in mido.MidiFile(file=io.BytesIO(raw)).tracks:
        if any(getattr(m, "name", "") == "drums" for m in track):
            channels |= {m.channel for m in track if m.type == "note_on"}
    return channels


def test_same_seed_gives_byte_identical_midi(composer: Composer, tmp_path: Path) -> None:
    a = composer.compose(parse_request("rock 8 bars", seed=99), tmp_path / "a")
    b = composer.compose(parse_request("rock 8 bars", seed=99), tmp_path / "b")
    c = composer.compose(parse_request("rock 8 bars", seed=100), tmp_path / "c")
    assert a.files["midi"].read_bytes() == b.files["midi"].read_bytes()
    assert a.files["midi"].read_bytes() != c.files["midi"].read_bytes()


def test_audio_plays_for_as_long_as_the_midi(composer: Composer, tmp_path: Path) -> None:
    result = composer.compose(parse_request("pop 4 bars 120 bpm", seed=3), tmp_path)
    data, rate = soundfile.read(io.BytesIO(result.files["audio"].read_bytes()))
    assert data.ndim == 2 and data.shape[1] == 2
    assert len(data) / rate == pytest.approx(result.score.duration_seconds + TAIL_SECONDS, abs=0.1)
    assert abs(data).max() > 0.1
    assert result.files["image"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<score-partwise" in result.files["musicxml"].read_bytes()


@pytest.mark.parametrize(("heard_as", "batches"), [("jazz", 1), ("classical", 2)])
def test_another_batch_is_drawn_only_when_no_candidate_is_heard_as_asked(
        composer: Composer, monkeypatch: pytest.MonkeyPatch, heard_as: str, batches: int) -> None:
    calls = []

    def fake_classify(tagger: object, views: object) -> StyleScores:
        calls.append(views)
        return StyleScores(heard_as, dict.fromkeys(STYLE_NAMES, 1 / len(STYLE_NAMES)))

    monkeypatch.setattr("engine.compose.classify", fake_classify)
    _, _, verdict = composer.generate(parse_request("jazz 4 bars", seed=3), 3)
    assert len(calls) == batches * composer.settings.candidates == batches * 6
    assert verdict is not None and verdict.label == heard_as
