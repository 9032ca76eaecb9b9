"""Score ↔ MIDI round trips."""

from __future__ import annotations

import io

import pretty_midi
import pytest

from engine.music.midi import read_midi, write_midi
from engine.music.score import Key, Meter, Note, Role, Score, Track

COMMON = Meter(4, 4)


def _score(meter: Meter = COMMON, bars: int = 2, **kw: object) -> Score:
    spb = meter.steps_per_bar
    melody = [Note(60 + i, i * 2, 2, 90) for i in range(spb * bars // 2)]
    bass = [Note(36, b * spb, spb, 80) for b in range(bars)]
    drums = [Note(36, s, 1, 100) for s in range(0, spb * bars, 4)]
    return Score(tempo=96, meter=meter, bars=bars, key=Key(2, "minor"),
                 tracks=[Track(Role.MELODY, 73, melody), Track(Role.BASS, 33, bass), Track(Role.DRUMS, 0, drums)],
                 **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("meter", [Meter(4, 4), Meter(3, 4), Meter(6, 8)])
def test_round_trip_keeps_notes_meter_tempo_and_bars(meter: Meter) -> None:
    score = _score(meter, bars=3)
    back = read_midi(write_midi(score))
    assert back.meter == meter
    assert back.bars == 3
    assert back.tempo == pytest.approx(96)
    assert back.key == Key(2, "minor")
    for role in (Role.MELODY, Role.BASS, Role.DRUMS):
        original, read = score.track(role), back.track(role)
        assert original is not None and read is not None
        assert [(n.pitch, n.start, n.duration) for n in read.notes] == \
               [(n.pitch, n.start, n.duration) for n in original.notes]
        assert read.program == original.program


def test_drums_are_on_channel_10_and_file_ends_on_the_bar_line() -> None:
    score = _score(bars=4)
    pm = pretty_midi.PrettyMIDI(io.BytesIO(write_midi(score)))
    assert [i.is_drum for i in pm.instruments] == [False, False, True]
    assert pm.get_end_time() == pytest.approx(score.duration_seconds)


def test_swing_delays_offbeat_eighths_only() -> None:
    score = Score(tempo=60, bars=1, swing=1.0, tracks=[Track(Role.MELODY, 0, [Note(60, 0, 2), Note(62, 2, 2)])])
    notes = pretty_midi.PrettyMIDI(io.BytesIO(write_midi(score))).instruments[0].notes
    assert notes[0].start == pytest.approx(0.0)
    assert notes[1].start == pytest.approx(2 / 3, abs=1e-3)  # the last triplet of the beat


def test_humanisation_is_seeded() -> None:
    a = write_midi(_score(humanize=1.0, seed=5))
    b = write_midi(_score(humanize=1.0, seed=5))
    c = write_midi(_score(humanize=1.0, seed=6))
    assert a == b
    assert a != c


def test_transpose_and_slice() -> None:
    score = _score(bars=2)
    up = score.transposed(3)
    assert up.key == Key(5, "minor")
    assert up.track(Role.DRUMS).notes == score.track(Role.DRUMS).notes  # type: ignore[union-attr]
    assert up.track(Role.MELODY).notes[0].pitch == 63  # type: ignore[union-attr]
    second = score.bar_slice(1, 1)
    assert second.bars == 1
    assert all(0 <= n.start < 16 for t in second.tracks for n in t.notes)
