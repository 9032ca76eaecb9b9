"""Analysis: known keys (written pieces and real files), tempo, meter, chords, form, JSON shape."""

from __future__ import annotations

import io
from pathlib import Path

import mido
import pretty_midi
import pytest

from engine.mir.analysis import analyse, find_sections, predominant_tempo
from engine.mir.features import FEATURE_NAMES
from engine.mir.loading import load_score
from engine.music.midi import write_midi
from engine.music.score import Key, Meter, Role, Score
from engine.settings import get_settings
from tests.engine.render.scores import demo_score

from .pieces import cadence_piece, eighths, song_form

DATASETS = get_settings().datasets_dir
POP909_KEYS = {"001": "F# major", "002": "B major", "003": "Bb major"}  # key_audio.txt: Gb:maj, B:maj, Bb:maj
NOTTINGHAM_KEYS = {"ashover12": "G major", "ashover13": "D major"}  # the tunes' key signatures


@pytest.mark.parametrize(("tonic", "mode", "name"), [(0, "major", "C major"), (10, "major", "Bb major"),
                                                     (9, "minor", "A minor"), (6, "minor", "F# minor")])
def test_known_keys_through_midi_files(tmp_path: Path, tonic: int, mode: str, name: str) -> None:
    path = tmp_path / "cadence.mid"
    write_midi(cadence_piece(tonic, mode), path)
    score, midi = load_score(path)
    result = analyse(score, midi=midi)
    assert result.key is not None and result.key.key == Key(tonic, mode)
    assert result.to_json()["key"] == name


@pytest.mark.skipif(not (DATASETS / "pop909").is_dir(), reason="POP909 not available")
@pytest.mark.parametrize(("song", "key"), sorted(POP909_KEYS.items()))
def test_pop909_keys(song: str, key: str) -> None:
    path = DATASETS / "pop909" / song / f"{song}.mid"
    assert key.split()[1][:3] in (DATASETS / "pop909" / song / "key_audio.txt").read_text()
    score, midi = load_score(path)
    assert analyse(score, midi=midi).to_json()["key"] == key


@pytest.mark.skipif(not (DATASETS / "nottingham").is_dir(), reason="Nottingham not available")
@pytest.mark.parametrize(("tune", "key"), sorted(NOTTINGHAM_KEYS.items()))
def test_nottingham_keys(tune: str, key: str) -> None:
    score, midi = load_score(DATASETS / "nottingham" / "MIDI" / f"{tune}.mid")
    result = analyse(score, midi=midi)
    assert result.to_json()["key"] == key and result.meter == Meter(4, 4)


def _two_tempo_midi() -> pretty_midi.PrettyMIDI:
    """4 beats at 100 bpm, then 16 beats at 140 bpm, a note on every beat."""
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100), time=0)])
    for beat in range(20):
        if beat == 4:
            track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(140), time=0))
        track += [mido.Message("note_on", note=60, velocity=90, time=0),
                  mido.Message("note_off", note=60, velocity=0, time=480)]
    buffer = io.BytesIO()
    mido.MidiFile(ticks_per_beat=480, tracks=[track]).save(file=buffer)
    return pretty_midi.PrettyMIDI(io.BytesIO(buffer.getvalue()))


def test_tempo_is_the_one_held_longest() -> None:
    midi = _two_tempo_midi()
    assert predominant_tempo(midi) == pytest.approx(140)
    score = Score(tempo=100)
    assert analyse(score, midi=midi).tempo == pytest.approx(140)
    assert analyse(score).tempo == 100


@pytest.mark.parametrize("meter", [Meter(3, 4), Meter(6, 8)])
def test_meter_and_tempo_come_from_the_file(tmp_path: Path, meter: Meter) -> None:
    path = tmp_path / "piece.mid"
    write_midi(demo_score(4, meter=meter, tempo=84), path)
    score, midi = load_score(path)
    result = analyse(score, midi=midi).to_json()
    assert (result["meter"], result["tempo"], result["bars"]) == (str(meter), 84, 4)
    assert result["features"][f"meter_{meter.numerator}_{meter.denominator}"] == 1.0


def test_swing_is_measured_when_the_midi_is_given() -> None:
    swung = eighths(swing=1.0)
    midi = pretty_midi.PrettyMIDI(io.BytesIO(write_midi(swung)))
    features = analyse(eighths(), midi=midi).features
    assert features["swing_ratio"] == pytest.approx(2.0, abs=0.01) and features["swing_measured"] == 1.0


def test_chords_per_bar_from_symbols_and_from_notes() -> None:
    score = demo_score(4)
    assert analyse(score).chords_per_bar() == ["C", "Am", "F", "G7"]
    score.chords = []
    harmony = score.track(Role.HARMONY)
    assert harmony is not None
    score.tracks = [harmony]
    assert analyse(score).chords_per_bar() == ["C", "Am", "F", "G7"]
    assert analyse(Score(bars=2)).chords_per_bar() == ["N", "N"]


@pytest.mark.parametrize(("form", "phrase_bars"), [("AABA", 4), ("ABAC", 4), ("AAAA", 4), ("ABAB", 8)])
def test_form_of_repeated_phrases(form: str, phrase_bars: int) -> None:
    sections = find_sections(song_form(form, phrase_bars))
    assert sections.form == form and sections.phrase_bars == phrase_bars
    repeats = sum(form[i] in form[:i] for i in range(len(form))) / len(form)
    assert sections.repeated_bar_share == pytest.approx(repeats)


def test_short_pieces_are_one_phrase() -> None:
    assert find_sections(demo_score(2)).form == "A" and find_sections(demo_score(2)).phrase_bars == 2


def test_json_shape() -> None:
    result = analyse(demo_score(8)).to_json()
    assert set(result) == {"key", "key_strength", "tempo", "meter", "bars", "chords", "features", "sections"}
    assert result["key"] == "C major" and result["tempo"] == 120 and result["meter"] == "4/4" and result["bars"] == 8
    assert len(result["chords"]) == 8 and tuple(result["features"]) == FEATURE_NAMES
    assert result["sections"] == {"form": "AA", "phrase_bars": 4, "repeated_bar_share": 0.5}
    assert analyse(Score(bars=1)).to_json()["key"] is None
