"""Pitch spelling: chord roots and key names as each key writes them."""

from __future__ import annotations

import pytest

from engine.music.score import ChordLabel, Key


@pytest.mark.parametrize(("key", "root", "name"), [
    (Key(3, "major"), 1, "Db"),       # Eb major: flats
    (Key(5, "minor"), 6, "Gb"),       # F minor (Ab major's signature)
    (Key(4, "major"), 8, "G#"),       # E major: sharps
    (Key(1, "minor"), 3, "D#"),       # C# minor (E major's)
    (Key(2, "dorian"), 10, "Bb"),     # D dorian is C major's: the default names
    (Key(0, "major"), 1, "C#"),
])
def test_a_key_spells_pitch_classes_as_its_signature_does(key: Key, root: int, name: str) -> None:
    assert key.spell(root) == name
    assert ChordLabel(0, root, "7").spelled(key) == f"{name}7"


def test_key_names_and_unkeyed_symbols() -> None:
    assert str(Key(1, "major")) == "Db major" and str(Key(6, "major")) == "F# major"
    assert str(Key(8, "minor")) == "G# minor" and str(Key(3, "minor")) == "D# minor"
    assert ChordLabel(0, 1, "maj7").symbol == "C#maj7" and ChordLabel(0, 1, "maj7").spelled(None) == "C#maj7"
