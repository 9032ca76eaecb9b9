"""Works from the corpus that ships inside music21: a bounded classical selection and two folk collections.

Classical: every work of a few composers' folders up to a cap per folder and a file size, so
reading stays near two minutes. Bach is represented by the C major prelude only: his chorales are
left out because the JSB source already has them, in a split this one must not leak into. Joplin's
rag is labelled classical, as elsewhere in the project. Folk: the first tunes of O'Neill's Music of
Ireland (1850), read from its multi-tune ABC files, and an even spread of Ryan's Mammoth Collection
(1883), one tune a file. The Essen folk songs are not read: their licence is non-commercial.

Parts become tracks as in `from_music21` (top part melody, lowest part bass when there are three
or more, the rest harmony); a piece opening with a pickup is shifted so the pickup ends on a bar line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from music21 import common, corpus, stream

from ..mir.key import key_of
from ..music.score import Role, Score, Track
from ..render.musicxml import from_music21

if TYPE_CHECKING:  # at run time `.sources` is imported where used: it imports this module for SOURCES
    from .sources import Piece

log = logging.getLogger(__name__)

# Corpus folders, or path prefixes, read as classical.
CLASSICAL = ("bach/bwv846", "cpebach", "handel", "corelli", "haydn", "mozart", "beethoven", "joplin",
             "schumann_clara", "schumann_robert", "chopin", "weber", "verdi")
MAX_WORKS, MAX_BYTES = 8, 110_000  # per classical folder; bigger compressed MusicXML takes 10 s and more
FOLK = ("oneills1850", "ryansMammoth")
MAX_TUNES = 400  # per folk collection (O'Neill's first 400 come from files that do not overlap)
SUFFIXES = (".mxl", ".xml", ".musicxml", ".krn", ".abc")


def _relative(path: Path) -> str:
    return path.relative_to(common.getCorpusFilePath()).as_posix()


def classical_works() -> list[str]:
    """Corpus paths of the classical selection: up to MAX_WORKS a folder, files up to MAX_BYTES,
    Humdrum copies of works that also come as MusicXML skipped."""
    works = []
    for prefix in CLASSICAL:
        paths = sorted(p for p in corpus.getComposer(prefix.split("/")[0])
                       if _relative(p).startswith(prefix) and p.suffix in SUFFIXES
                       and p.stat().st_size <= MAX_BYTES
                       and not (p.suffix == ".krn" and p.with_suffix(".mxl").exists()))
        works += [_relative(p) for p in paths[:MAX_WORKS]]
    return works


def _scores(parsed: stream.Score | stream.Opus) -> list[stream.Score]:
    return list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]


def _folk_tunes(collection: str, limit: int) -> Iterator[tuple[str, stream.Score]]:
    """(ident, parsed tune) for up to `limit` tunes: O'Neill's in order, Ryan's evenly spread."""
    paths = sorted(corpus.getComposer(collection))
    if collection == "ryansMammoth":
        paths = paths[::max(1, len(paths) // limit)]
    count = 0
    for path in paths:
        rel = _relative(path)
        try:
            tunes = _scores(corpus.parse(rel, forceSource=True))
        except Exception as exc:  # music21 raises many kinds on odd files; skip the file, keep going
            log.warning("skipping %s: %s", rel, exc)
            continue
        for i, tune in enumerate(tunes):
            yield (f"{rel}#{i + 1}" if len(tunes) > 1 else rel), tune
            count += 1
            if count == limit:
                return


def _pickup_steps(parsed: stream.Score) -> int:
    """Length in steps of the silence before a pickup bar's notes (0 without a pickup)."""
    part = parsed.parts.first()
    measure = part.getElementsByClass(stream.Measure).first() if part is not None else None
    return round(float(measure.paddingLeft) * 4) if measure is not None else 0


def _shifted(score: Score, steps: int) -> Score:
    if steps == 0:
        return score
    tracks = [Track(t.role, t.program, [replace(n, start=n.start + steps) for n in t.notes], t.name)
              for t in score.tracks]
    return replace(score, tracks=tracks, chords=[replace(c, start=c.start + steps) for c in score.chords])


def piece_of(parsed: stream.Score, ident: str, style: str) -> Piece | None:
    """A parsed work as a labelled piece, or None when its meter is unsupported or it has no melody."""
    from .sources import Piece, _bars_of, common_meter, split_of

    score = from_music21(parsed)
    meter = common_meter(score.meter)
    if meter is None or score.track(Role.MELODY) is None:
        return None
    score = _shifted(score, _pickup_steps(parsed))
    score.meter = meter
    score.bars = _bars_of([n for t in score.tracks for n in t.notes], meter)
    score.key = score.key or key_of(score)
    pitched = [t for t in score.tracks if not t.is_drum]
    present = (True, score.track(Role.BASS) is not None, len(pitched) >= 2 or bool(score.chords), False)
    ident = f"music21/{ident}"
    return Piece(score, style, "music21", ident, present, split_of(ident))


def _classical(limit: int | None) -> Iterator[tuple[str, stream.Score]]:
    """(ident, parsed work) for the first `limit` works (all when None) of the classical selection."""
    for rel in classical_works()[:limit]:
        try:
            parsed = corpus.parse(rel, forceSource=True)
        except Exception as exc:  # music21 raises many kinds on odd files; skip the file, keep going
            log.warning("skipping %s: %s", rel, exc)
            continue
        yield rel, _scores(parsed)[0]


def read_music21_corpus(root: Path, limit: int | None = None) -> Iterator[Piece]:
    """music21's bundled classical works and O'Neill's and Ryan's folk tunes (`root` is unused; it
    keeps the readers' signature). `limit` caps the works read from the classical selection and
    from each folk collection."""
    works = [(_classical(limit), "classical")]
    works += [(_folk_tunes(name, limit or MAX_TUNES), "folk") for name in FOLK]
    for source, style in works:
        for ident, parsed in source:
            try:
                piece = piece_of(parsed, ident, style)
            except Exception as exc:  # as above, for the conversion of an odd score
                log.warning("skipping %s: %s", ident, exc)
                continue
            if piece is not None:
                yield piece
