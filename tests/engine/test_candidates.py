"""What ranking reads off a candidate: the key it reads as; moving it into the key asked for."""

from __future__ import annotations

import pytest
import torch

from engine.candidates import ends_on_tonic, in_asked_key, read_key, silent_bass_bars
from engine.data.encoding import chord_token, encode
from engine.models.base import Generated
from engine.music.score import Key, Meter, Score
from tests.engine.mir.pieces import cadence_piece


def _tokens(score: Score) -> Generated:
    seg = encode(score, (True, True, True, False))
    return Generated(*(torch.from_numpy(a[None]) for a in (seg.melody, seg.bass, seg.chords, seg.drums)),
                     latent=torch.zeros(1, 1))


def test_read_key_reads_tonic_and_mode_of_what_the_model_wrote() -> None:
    assert read_key(_tokens(cadence_piece(9, "minor")), Meter(4, 4)) == Key(9, "minor")


@pytest.mark.parametrize(("asked", "moved"), [
    (Key(4, "minor"), -5),  # A minor up to E minor: down a fourth, not up a fifth
    (Key(3, "minor"), -6),  # a tritone: down
    (Key(0, "major"), 0),   # the relative major: the notes already fit its scale
    (Key(2, "dorian"), 0),  # D dorian: the scale of C major, like A minor's
])
def test_in_asked_key_moves_the_scale_to_the_asked_keys(asked: Key, moved: int) -> None:
    written = _tokens(cadence_piece(9, "minor"))
    placed = in_asked_key(written, asked, Meter(4, 4))
    expected = read_key(written, Meter(4, 4))
    assert expected is not None and read_key(placed, Meter(4, 4)) == Key((expected.tonic + moved) % 12, "minor")
    assert torch.equal(placed.melody, written.transposed(moved).melody) and torch.equal(placed.drums, written.drums)


def test_silent_bass_bars_counts_bars_where_the_bass_sounds_nothing() -> None:
    from engine.data.encoding import HOLD, PITCH0, REST

    bass = torch.full((1, 4, 16), REST)
    bass[0, 0, 0] = PITCH0 + 12
    bass[0, 0, 1:] = HOLD
    bass[0, 1, :] = HOLD  # held over the bar line: it sounds
    bass[0, 3, 8] = PITCH0 + 7
    gen = Generated(torch.zeros_like(bass), bass, torch.zeros(1, 4, 2, dtype=torch.long),
                    torch.zeros(1, 4, 16, 9), torch.zeros(1, 1, 8))
    assert silent_bass_bars(gen) == 0.25  # bar 3 only


def _ending(*chords: int) -> Generated:
    """Two bars whose half-bar chords are these tokens (0: no chord)."""
    tokens = torch.tensor(chords, dtype=torch.long).view(1, 2, 2)
    return Generated(torch.zeros(1, 2, 16, dtype=torch.long), torch.zeros(1, 2, 16, dtype=torch.long), tokens,
                     torch.zeros(1, 2, 16, 9), torch.zeros(1, 1, 8))


G, D7, A7, A_MIN, E7 = (chord_token(7, "maj"), chord_token(2, "7"), chord_token(9, "7"), chord_token(9, "min"),
                         chord_token(4, "7"))


@pytest.mark.parametrize(("chords", "key", "home"), [
    ((G, D7, D7, G), Key(7, "major"), True),
    ((G, G, G, D7), Key(7, "major"), False),
    ((A7, E7, A7, 0), Key(9, "major"), True),  # a blues's I7, then no chord: the last that sounds
    ((E7, A_MIN, E7, chord_token(9, "m7")), Key(9, "minor"), True),
    ((E7, A_MIN, E7, chord_token(9, "maj")), Key(9, "minor"), False),  # a major tonic (a Picardy third): not counted
    ((0, 0, 0, 0), Key(0, "major"), False),
])
def test_ends_on_tonic_reads_the_last_chord_that_sounds(chords: tuple[int, ...], key: Key, home: bool) -> None:
    assert ends_on_tonic(_ending(*chords), key) is home
