"""music21's bundled corpus: the classical selection and a few folk tunes come out labelled and encodable."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.data.encoding import encode
from engine.data.music21_corpus import classical_works, read_music21_corpus
from engine.data.sources import Piece
from engine.music.score import Role


def test_classical_selection_is_bounded_and_leaves_out_chorales_and_essen() -> None:
    works = classical_works()
    assert 10 <= len(works) <= 60
    assert "bach/bwv846.mxl" in works and "joplin/maple_leaf_rag.mxl" in works
    assert not any(w.startswith(("essenFolksong", "bach/bwv2", "bach/bwv3", "bach/bwv4")) for w in works)


@pytest.fixture(scope="module")
def pieces() -> list[Piece]:
    return list(read_music21_corpus(Path("unused"), limit=2))


def test_pieces_are_labelled(pieces: list[Piece]) -> None:
    styles = [p.style for p in pieces]
    assert styles.count("classical") == 2 and styles.count("folk") == 4  # 2 classical, 2 of each folk collection
    for piece in pieces:
        assert piece.source == "music21" and piece.ident.startswith("music21/")
        assert piece.score.key is not None and piece.score.meter.steps_per_bar in (12, 16)
        assert piece.present[0] and not piece.present[3]
        assert piece.present[1] == (piece.score.track(Role.BASS) is not None)
    assert any(p.present[2] for p in pieces if p.style == "classical")  # piano works: two staves


def test_pieces_encode(pieces: list[Piece]) -> None:
    for piece in pieces:
        seg = encode(piece.score, piece.present)
        assert seg.bars == piece.score.bars
        assert (seg.melody >= 2).sum() > 0


def test_pickup_bar_ends_on_the_bar_line(pieces: list[Piece]) -> None:
    tune = next(p for p in pieces if p.ident == "music21/oneills1850/0001-0050.abc#2")  # "Fare You Well"
    melody = tune.score.track(Role.MELODY)
    assert melody is not None
    assert sorted(n.start for n in melody.notes)[:3] == [6, 7, 8]  # two 16ths of pickup, then the downbeat
