"""Arrangement rules: comping voicings and rule-realised bass follow the model's chords."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.arrange import Arrangement, arrange, as_played, comp_track, rule_bass
from engine.compose import Composer
from engine.data.encoding import CHORD_TONES
from engine.music.score import ChordLabel, Key, Meter, Note, Role
from engine.requests import parse_request

CHORDS = [ChordLabel(0, 2, "m7"), ChordLabel(16, 7, "7"), ChordLabel(32, 0, "maj7"), ChordLabel(48, 0, "maj7")]


def _arr(style: str, meter: Meter = Meter(4, 4)) -> Arrangement:  # noqa: B008
    return Arrangement(style, 120.0, meter, Key(0), {Role.HARMONY: 0, Role.BASS: 32}, 0.0, 1)


@pytest.mark.parametrize("style", ["pop", "rock", "jazz", "blues", "folk", "classical", "lofi"])
def test_comping_plays_only_chord_tones(style: str) -> None:
    track = comp_track(CHORDS, _arr(style), 4, 0)
    assert track.notes
    for note in track.notes:
        chord = [c for c in CHORDS if c.start <= note.start][-1]
        allowed = {(chord.root + t) % 12 for t in CHORD_TONES[chord.quality]} | {(chord.root + 7) % 12}
        assert note.pitch % 12 in allowed


def test_walking_bass_is_one_note_per_beat_with_roots_on_chord_changes() -> None:
    notes = rule_bass(CHORDS, _arr("jazz"), 4)
    assert [n.start for n in notes] == list(range(0, 64, 4))
    assert all(28 <= n.pitch <= 52 for n in notes)
    for chord in CHORDS:
        first = next(n for n in notes if n.start == chord.start)
        assert first.pitch % 12 == chord.root


@pytest.mark.parametrize("style", ["rock", "blues", "lofi"])
def test_other_bass_idioms_start_each_bar_on_the_root(style: str) -> None:
    notes = rule_bass(CHORDS, _arr(style), 4)
    for chord in CHORDS:
        assert next(n for n in notes if n.start == chord.start).pitch % 12 == chord.root


@pytest.mark.parametrize("style", ["pop", "folk", "jazz"])
def test_a_waltz_is_comped_oom_pah_pah(style: str) -> None:
    """In 3/4 the chord sounds on each beat: held through the first, short on the second and third."""
    track = comp_track([ChordLabel(0, 5, "maj"), ChordLabel(12, 0, "7")], _arr(style, Meter(3, 4)), 2, 0)
    per_beat = sorted({(n.start, n.duration) for n in track.notes})
    assert per_beat == [(0, 4), (4, 2), (8, 2), (12, 4), (16, 2), (20, 2)]


def test_six_eight_is_comped_long_short_on_each_beat() -> None:
    track = comp_track([ChordLabel(0, 2, "maj")], _arr("folk", Meter(6, 8)), 1, 0)
    assert sorted({(n.start, n.duration) for n in track.notes}) == [(0, 4), (4, 2), (6, 4), (10, 2)]


def test_waltz_bass_fits_three_four() -> None:
    chords = [ChordLabel(0, 5, "maj"), ChordLabel(12, 0, "7")]
    notes = rule_bass(chords, _arr("lofi", Meter(3, 4)), 2)
    assert notes and all(n.start % 12 == 0 or n.start % 12 == 6 for n in notes)


def test_a_blues_plays_major_triads_as_dominant_sevenths_unless_the_melody_has_the_major_seventh() -> None:
    chords = [ChordLabel(0, 9, "maj"), ChordLabel(16, 2, "maj"), ChordLabel(32, 4, "min"), ChordLabel(48, 4, "maj")]
    melody = [Note(69, 0, 4), Note(73, 20, 4)]  # A, then C# while D sounds: D's major seventh
    played = as_played(chords, "blues", melody, 64)
    assert [(c.root, c.quality) for c in played] == [(9, "7"), (2, "maj"), (4, "min"), (4, "7")]


def test_a_chorale_plays_major_and_minor_sevenths_as_triads() -> None:
    chords = [ChordLabel(0, 0, "maj7"), ChordLabel(16, 2, "m7"), ChordLabel(32, 7, "7"), ChordLabel(48, 0, "sus4")]
    played = as_played(chords, "classical", [], 64)
    assert [c.quality for c in played] == ["maj", "min", "7", "sus4"]  # dominant sevenths and suspensions stay
    assert as_played(chords, "jazz", [], 64) == chords


@pytest.mark.parametrize(("style", "quality"), [("blues", "7"), ("rock", "maj")])
def test_only_a_blues_arrangement_colours_its_triads(composer: Composer, style: str, quality: str) -> None:
    gen, arrangement, _ = composer.generate(parse_request(f"{style} 4 bars", seed=1), 1)
    written = {(c.start, c.root) for c in arrange(gen, replace(arrangement, style="pop")).chords if c.quality == "maj"}
    assert written, "the model wrote no major triad to colour"
    arranged = {(c.start, c.root): c.quality for c in arrange(gen, replace(arrangement, style=style)).chords}
    assert any(arranged[at] == quality for at in written)
