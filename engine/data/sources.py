"""Readers that turn the datasets in `../shared/datasets` (and any MIDI/MusicXML/ABC folder) into
style-labelled scores. Each reader yields `Piece`s; `engine.data.dataset` cuts them into segments.

Style labels are the project's choices, written down in docs/data.md: a source's own genre tags
are mapped onto Cadenza's styles, and a track the source does not have is marked absent.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi

from ..mir.key import key_of
from ..music.midi import read_midi
from ..music.score import PITCH_NAMES, ChordLabel, Key, Meter, Note, Role, Score, Track
from .music21_corpus import read_music21_corpus
from .wjazzd import read_wjazzd

log = logging.getLogger(__name__)


@dataclass
class Piece:
    """One labelled piece: which tracks it really has, and whether it is held out."""

    score: Score
    style: str
    source: str
    ident: str
    present: tuple[bool, bool, bool, bool]  # melody, bass, chords, drums
    split: str = "train"


def split_of(ident: str, valid_share: float = 0.1) -> str:
    """A stable train/valid assignment from the piece's identity."""
    return "valid" if zlib.crc32(ident.encode()) % 1000 < valid_share * 1000 else "train"


_ROOTS = {name: i for i, name in enumerate(PITCH_NAMES)} | {
    "Db": 1, "D#": 3, "Gb": 6, "G#": 8, "A#": 10, "Cb": 11, "B#": 0, "Fb": 4, "E#": 5}


def parse_root(name: str) -> int:
    """Pitch class of a note name like "Bb", "c#", "F"."""
    name = name[0].upper() + name[1:]
    return _ROOTS[name]


# ---------------------------------------------------------------- quantisation helpers

def _quarter_positions(pm: pretty_midi.PrettyMIDI, times: np.ndarray) -> np.ndarray:
    return np.array([pm.time_to_tick(float(t)) / pm.resolution for t in times])


def estimate_swing(positions: np.ndarray) -> float:
    """Swing amount (0 straight, 1 triplet): the one whose removal best puts onsets on the 16th grid."""
    if len(positions) < 8:
        return 0.0
    candidates = np.linspace(0.0, 1.0, 11)
    errors = [float(np.mean(np.abs(q * 4 - np.round(q * 4)))) + 0.01 * s
              for s, q in ((s, unswing(positions, s)) for s in candidates)]
    return float(candidates[int(np.argmin(errors))])


# Per meter: where kicks and snares fall in a plain beat (steps into the bar), and the shifts to try.
_BEAT_PLACES = {Meter(4, 4): ((0, 8), (4, 12), (0, 4, 8, 12)),  # kick 1 and 3, snare 2 and 4
                Meter(3, 4): ((0,), (4, 8), (0, 4, 8)),  # kick 1, snare (or brush) 2 and 3
                Meter(6, 8): ((0,), (6,), (0, 2, 4, 6, 8, 10))}  # kick on 1, snare on 4 (the second pulse)


def backbeat_phase(notes: list[Note], meter: Meter = Meter(4, 4)) -> int:
    """Steps to shift drums so that, bar by bar, most kicks and snares fall where the meter's plain beat
    has them (4/4: kicks on 1 and 3, snares on 2 and 4)."""
    kicks, snares, shifts = _BEAT_PLACES[meter]

    def fit(shift: int) -> int:
        total = 0
        for n in notes:
            pos = (n.start - shift) % meter.steps_per_bar
            if n.pitch in (35, 36):
                total += pos in kicks
            elif n.pitch in (38, 40, 37):
                total += pos in snares
        return total

    return max(shifts, key=fit)


def unswing(positions: np.ndarray, swing: float) -> np.ndarray:
    """Move swung off-beats back to the straight grid (inverse of the renderer's swing)."""
    if swing <= 0:
        return positions
    beat, pos = np.divmod(positions, 1.0)
    mid = 0.5 + swing / 6.0
    straight = np.where(pos < mid, pos / mid * 0.5, 0.5 + (pos - mid) / (1 - mid) * 0.5)
    return beat + straight


def _performance_notes(pm: pretty_midi.PrettyMIDI, inst: pretty_midi.Instrument,
                       swing: float, offset: float = 0.0) -> list[Note]:
    starts = unswing(_quarter_positions(pm, np.array([n.start for n in inst.notes])) - offset, swing)
    ends = unswing(_quarter_positions(pm, np.array([n.end for n in inst.notes])) - offset, swing)
    notes = []
    for n, s, e in zip(inst.notes, starts, ends, strict=True):
        s_step = int(round(s * 4))
        if s_step >= 0:
            notes.append(Note(n.pitch, s_step, max(1, int(round(e * 4)) - s_step), n.velocity))
    return notes


def common_meter(meter: Meter) -> Meter | None:
    """The model meter a source meter is read as: 2/2 and 2/4 as 4/4 (pairs of bars); None if unsupported."""
    if meter in (Meter(2, 2), Meter(2, 4)):
        return Meter(4, 4)
    return meter if meter in (Meter(4, 4), Meter(3, 4), Meter(6, 8)) else None


def _bars_of(notes: list[Note], meter: Meter) -> int:
    return max(1, -(-max((n.end for n in notes), default=1) // meter.steps_per_bar))


# ---------------------------------------------------------------- POP909

_POP909_QUALITY = {"maj": "maj", "min": "min", "sus2": "maj", "min7": "m7", "sus4": "sus4", "maj7": "maj7",
                   "7": "7", "maj6": "maj", "dim": "dim", "hdim7": "m7b5", "aug": "maj", "min6": "min",
                   "dim7": "dim", "minmaj7": "min", "sus4(b7)": "7", "9": "7", "min9": "m7", "maj9": "maj7"}


def read_pop909(root: Path) -> Iterator[Piece]:
    """POP909: melody, piano accompaniment (bass = its lowest line), chord labels, beat grid."""
    for song in sorted(p for p in (root / "pop909").iterdir() if p.is_dir()):
        try:
            yield _pop909_song(song)
        except (OSError, ValueError, IndexError, KeyError) as exc:
            log.warning("skipping %s: %s", song, exc)


def _pop909_song(song: Path) -> Piece:
    beats = np.loadtxt(song / "beat_midi.txt")
    times, downbeat = beats[:, 0], beats[:, 2] > 0.5
    first = int(np.argmax(downbeat))
    gaps = np.diff(np.flatnonzero(downbeat))
    numerator = int(np.bincount(gaps).argmax()) if len(gaps) else 4
    meter = Meter(numerator, 4) if numerator in (3, 4) else Meter(4, 4)
    beat_index = np.arange(len(times), dtype=float) - first

    def to_step(t: float) -> int:
        slope = times[-1] - times[-2]
        pos = (float(np.interp(t, times, beat_index)) if t <= times[-1]
               else beat_index[-1] + (t - times[-1]) / slope)
        return int(round(pos * 4))

    pm = pretty_midi.PrettyMIDI(str(song / f"{song.name}.mid"))
    parts = {inst.name.upper(): inst for inst in pm.instruments}

    def notes_of(inst: pretty_midi.Instrument) -> list[Note]:
        out = []
        for n in inst.notes:
            s, e = to_step(n.start), to_step(n.end)
            if s >= 0:
                out.append(Note(n.pitch, s, max(1, e - s), n.velocity))
        return out

    melody = notes_of(parts["MELODY"])
    piano = notes_of(parts["PIANO"]) + notes_of(parts.get("BRIDGE", pretty_midi.Instrument(0)))
    bass_by_onset: dict[int, Note] = {}
    for n in piano:
        if n.pitch < 55 and (n.start not in bass_by_onset or n.pitch < bass_by_onset[n.start].pitch):
            bass_by_onset[n.start] = n
    chords = []
    for line in (song / "chord_midi.txt").read_text().splitlines():
        start, _, label = line.split("\t")
        if label == "N" or ":" not in label:
            continue
        root, quality = label.split(":")
        quality = _POP909_QUALITY.get(quality.split("/")[0], "maj")
        step = to_step(float(start))
        if step >= 0:
            chords.append(ChordLabel(step, parse_root(root), quality))
    key_line = (song / "key_audio.txt").read_text().split()
    tonic, mode = key_line[2].split(":")
    key = Key(parse_root(tonic), "minor" if mode.startswith("min") else "major")
    tempo = 60.0 / float(np.median(np.diff(times)))
    score = Score(tempo=round(tempo), meter=meter, bars=_bars_of(melody + piano, meter), key=key,
                  tracks=[Track(Role.MELODY, 0, melody), Track(Role.HARMONY, 0, piano),
                          Track(Role.BASS, 33, list(bass_by_onset.values()))], chords=chords)
    ident = f"pop909/{song.name}"
    return Piece(score, "pop", "pop909", ident, (True, True, True, False), split_of(ident))


# ---------------------------------------------------------------- Nottingham

def read_nottingham(root: Path) -> Iterator[Piece]:
    """Nottingham folk tunes: melody + chord accompaniment (bass = its lowest note per onset)."""
    for path in sorted((root / "nottingham" / "MIDI").glob("*.mid")):
        try:
            pm = pretty_midi.PrettyMIDI(str(path))
        except (OSError, ValueError, IndexError, KeyError, EOFError) as exc:
            log.warning("skipping %s: %s", path, exc)
            continue
        if len(pm.instruments) < 2:
            continue
        ts = pm.time_signature_changes
        meter = common_meter(Meter(ts[0].numerator, ts[0].denominator) if ts else Meter())
        if meter is None:
            continue
        limit = ts[1].time if len(ts) > 1 else float("inf")
        for inst in pm.instruments:
            inst.notes = [n for n in inst.notes if n.start < limit]
        melody = _performance_notes(pm, pm.instruments[0], 0.0)
        accomp = _performance_notes(pm, pm.instruments[1], 0.0)
        lows: dict[int, Note] = {}
        for n in accomp:
            if n.start not in lows or n.pitch < lows[n.start].pitch:
                lows[n.start] = n
        score = Score(tempo=120, meter=meter, bars=_bars_of(melody, meter),
                      tracks=[Track(Role.MELODY, 0, melody), Track(Role.HARMONY, 0, accomp),
                              Track(Role.BASS, 33, list(lows.values()))])
        score.key = key_of(score)
        ident = f"nottingham/{path.stem}"
        yield Piece(score, "folk", "nottingham", ident, (True, True, True, False), split_of(ident))


# ---------------------------------------------------------------- JSB chorales

def read_jsb(root: Path) -> Iterator[Piece]:
    """JSB chorales at 16th resolution in the published split: soprano melody, bass voice, harmony."""
    data = json.loads((root / "jsb" / "jsb-chorales-16th.json").read_text())
    for split, pieces in data.items():
        for i, steps in enumerate(pieces):
            top = _runs([max(s) if s else None for s in steps])
            low = _runs([min(s) if s else None for s in steps])
            inner = [sorted(s)[1:-1] for s in steps]
            mid = [n for k in range(2) for n in _runs([v[k] if len(v) > k else None for v in inner])]
            meter = Meter(4, 4)
            score = Score(tempo=72, meter=meter, bars=-(-len(steps) // 16),
                          tracks=[Track(Role.MELODY, 0, top), Track(Role.BASS, 42, low), Track(Role.HARMONY, 48, mid)])
            score.key = key_of(score)
            yield Piece(score, "classical", "jsb", f"jsb/{split}/{i}", (True, True, True, False),
                        "train" if split == "train" else "valid" if split == "valid" else "test")


def _runs(line: list[int | None]) -> list[Note]:
    """Notes from a per-step pitch line, merging repeats (the data can't tell held from repeated)."""
    notes: list[Note] = []
    start, pitch = 0, None
    for step, p in enumerate([*line, None]):
        if p != pitch:
            if pitch is not None:
                notes.append(Note(int(pitch), start, step - start, 80))
            start, pitch = step, p
    return notes


# ---------------------------------------------------------------- Groove MIDI Dataset

GROOVE_STYLES = {"rock": "rock", "punk": "rock", "pop": "pop", "funk": "pop", "soul": "blues",
                 "dance": "pop", "reggae": "pop", "jazz": "jazz", "neworleans": "jazz", "blues": "blues",
                 "gospel": "blues", "hiphop": "lofi", "country": "folk"}


GROOVE_METERS = {"4-4": Meter(4, 4), "3-4": Meter(3, 4), "6-8": Meter(6, 8)}


def read_groove(root: Path) -> Iterator[Piece]:
    """Groove MIDI drum beats in 4/4, 3/4 and 6/8, swing estimated and removed (4/4 and 3/4) so patterns
    sit on the grid. The only drums the models see in 3/4 and 6/8: 5 and 5 beats."""
    base = root / "groove"
    with (base / "info.csv").open() as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        genre = row["style"].split("/")[0]
        style = GROOVE_STYLES.get(genre)
        path = base / row["midi_filename"]
        meter = GROOVE_METERS.get(row["time_signature"])
        if style is None or meter is None or row["beat_type"] != "beat" or not path.exists():
            continue
        try:
            pm = pretty_midi.PrettyMIDI(str(path))
        except (OSError, ValueError, IndexError, KeyError, EOFError) as exc:
            log.warning("skipping %s: %s", row["midi_filename"], exc)
            continue
        hits = [n for inst in pm.instruments for n in inst.notes]
        if len(hits) < 16:
            continue
        drum = pretty_midi.Instrument(0, is_drum=True)
        drum.notes = hits
        positions = _quarter_positions(pm, np.array([n.start for n in hits]))
        swing = estimate_swing(positions) if meter != Meter(6, 8) else 0.0  # 6/8's eighths are its pulse
        # The first downbeat: recordings start on beat 1, give or take a little lead-in.
        offset = float(np.floor(positions.min() + 0.25))
        notes = _performance_notes(pm, drum, swing, offset)
        shift = backbeat_phase(notes, meter)
        notes = [Note(n.pitch, n.start - shift, n.duration, n.velocity) for n in notes if n.start >= shift]
        score = Score(tempo=float(row["bpm"]), meter=meter, bars=_bars_of(notes, meter),
                      tracks=[Track(Role.DRUMS, 0, notes)], swing=swing)
        split = {"train": "train", "validation": "valid"}.get(row["split"], "test")
        yield Piece(score, style, "groove", f"groove/{row['id']}", (False, False, False, True), split)


# ---------------------------------------------------------------- OpenEWLD lead sheets

_EWLD_STYLE_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("blues", frozenset({"Blues", "Rhythm & Blues", "Blues Rock", "Boogie Woogie", "Delta Blues", "Chicago Blues"})),
    ("lofi", frozenset({"Ballad", "Easy Listening", "Smooth Jazz", "Cool Jazz", "Soul-Jazz", "Lounge"})),
    ("jazz", frozenset({"Swing", "Big Band", "Hard Bop", "Dixieland", "Bop", "Post Bop", "Contemporary Jazz",
                        "Jazz-Funk", "Vocal Jazz", "Bossa Nova", "Jazz"})),
    ("rock", frozenset({"Rock & Roll", "Pop Rock", "Rockabilly", "Punk", "Country Rock"})),
    ("folk", frozenset({"Folk", "Country", "Folk, World, & Country", "Celtic"})),
    ("classical", frozenset({"Classical", "Romantic", "Modern Classical", "Neo-Romantic", "Ragtime"})),
    ("pop", frozenset({"Pop", "Vocal", "Stage & Screen", "Musical", "Synth-pop", "Soundtrack"})),
)


def ewld_style(tags: set[str]) -> str | None:
    """Cadenza's style for an OpenEWLD work from its genre and style tags (first rule that matches)."""
    for style, names in _EWLD_STYLE_RULES:
        if tags & names:
            return style
    return None


def read_openewld(root: Path) -> Iterator[Piece]:
    """OpenEWLD lead sheets (melody + chord symbols) labelled from the database's genres and styles."""
    from ..render.musicxml import read_music21

    base = root / "openewld"
    db = sqlite3.connect(base / "OpenEWLD.db")
    tags: dict[str, set[str]] = {}
    query = ("SELECT w.path_leadsheet, g.genre FROM works w JOIN work_genres g ON g.id = w.id "
             "UNION SELECT w.path_leadsheet, s.style FROM works w JOIN work_style s ON s.id = w.id")
    for path, tag in db.execute(query):
        tags.setdefault(path, set()).add(tag)
    db.close()
    for rel, work_tags in sorted(tags.items()):
        style = ewld_style(work_tags)
        path = base / rel
        if style is None or not path.exists():
            continue
        try:
            score = read_music21(path)
        except Exception as exc:  # music21 raises many kinds on odd files; skip the file, keep going
            log.warning("skipping %s: %s", path, exc)
            continue
        meter = common_meter(score.meter)
        if meter is None or score.track(Role.MELODY) is None:
            continue
        score.meter = meter
        score.key = key_of(score)
        ident = f"openewld/{rel}"
        yield Piece(score, style, "openewld", ident, (True, False, bool(score.chords), False), split_of(ident))


# ---------------------------------------------------------------- RS200 rock harmony

_NUMERAL = re.compile(r"^([b#]?)(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)([oh+]?)(.*)$")
_DEGREE = {"i": 0, "ii": 2, "iii": 4, "iv": 5, "v": 7, "vi": 9, "vii": 11}


def roman_to_chord(token: str, tonic: int) -> tuple[int, str] | None:
    """Root and quality of an RS200 Roman numeral like "bVII", "V7", "ii65", "V/V" in a key."""
    target = tonic
    if "/" in token:
        token, applied = token.split("/", 1)
        sub = roman_to_chord(applied, tonic)
        if sub is None:
            return None
        target = sub[0]
    m = _NUMERAL.match(token)
    if m is None:
        return None
    accidental, numeral, sign, figures = m.groups()
    root = (target + _DEGREE[numeral.lower()] + {"b": -1, "#": 1, "": 0}[accidental]) % 12
    seventh = "7" in figures or figures in ("65", "43", "42", "2")
    if sign == "o":
        quality = "dim"
    elif sign == "h":
        quality = "m7b5"
    elif "11" in figures:
        quality = "sus4"
    elif numeral.isupper():
        quality = "7" if seventh else "maj"
    else:
        quality = "m7" if seventh else "min"
    return root, quality


def parse_rs200_harmony(text: str) -> list[list[tuple[int, str] | None]]:
    """Bars of chords (None = no chord) from an expanded RS200 analysis line."""
    tonic = 0
    bars: list[list[tuple[int, str] | None]] = []
    previous_bar: list[tuple[int, str] | None] = []
    last: tuple[int, str] | None = None
    for raw_bar in text.split("|"):
        tokens = raw_bar.split()
        for tok in [t for t in tokens if t.startswith("[")]:
            name = tok.strip("[]")
            if name[:1].upper() + name[1:] in _ROOTS:  # other bracketed marks are meters
                tonic = parse_root(name)
        tokens = [t for t in tokens if not t.startswith("[")]
        if not tokens:
            bars.append(list(previous_bar))
            continue
        bar: list[tuple[int, str] | None] = []
        for tok in tokens:
            if tok == ".":
                bar.append(last)
            elif tok.startswith("R"):
                last = None
                bar.append(None)
            else:
                last = roman_to_chord(tok, tonic) or last
                bar.append(last)
        bars.append(bar)
        previous_bar = bar
    return bars


def read_rs200(root: Path) -> Iterator[Piece]:
    """RS200 rock songs: chord progressions only (one analyst, de Clercq), 4/4."""
    for path in sorted((root / "rs200" / "rs200_harmony_exp").glob("*_dt.txt")):
        bars = parse_rs200_harmony(path.read_text())
        while bars and all(c is None for c in bars[0]):
            bars.pop(0)
        chords: list[ChordLabel] = []
        for b, bar in enumerate(bars):
            for j, chord in enumerate(bar):
                if chord is not None:
                    chords.append(ChordLabel(b * 16 + j * 16 // len(bar), chord[0], chord[1]))
        if len(bars) < 8:
            continue
        harmony = [Note(48 + (c.root + t) % 12, c.start, 4, 70) for c in chords
                   for t in (0, 4 if c.quality in ("maj", "7", "maj7") else 3, 7)]
        score = Score(tempo=120, meter=Meter(4, 4), bars=len(bars), chords=chords,
                      tracks=[Track(Role.HARMONY, 0, harmony)])
        score.key = key_of(score)
        ident = f"rs200/{path.stem}"
        yield Piece(score, "rock", "rs200", ident, (False, False, True, False), split_of(ident))


# ---------------------------------------------------------------- any folder

def read_folder(folder: Path, style: str) -> Iterator[Piece]:
    """Every MIDI/MusicXML/ABC file under `folder`, all labelled `style`."""
    from ..render.musicxml import read_music21

    for path in sorted(folder.rglob("*")):
        suffix = path.suffix.lower()
        try:
            if suffix in (".mid", ".midi"):
                score = read_midi(path)
            elif suffix in (".xml", ".mxl", ".musicxml", ".abc", ".krn"):
                score = read_music21(path)
            else:
                continue
        except Exception as exc:  # one unreadable file must not stop a training run
            log.warning("skipping %s: %s", path, exc)
            continue
        score.key = score.key or key_of(score)
        present = (score.track(Role.MELODY) is not None, score.track(Role.BASS) is not None,
                   any(not t.is_drum for t in score.tracks), score.track(Role.DRUMS) is not None)
        ident = f"{folder.name}/{path.relative_to(folder)}"
        yield Piece(score, style, folder.name, ident, present, split_of(ident))


SOURCES = {"pop909": read_pop909, "nottingham": read_nottingham, "jsb": read_jsb, "groove": read_groove,
           "openewld": read_openewld, "rs200": read_rs200, "wjazzd": read_wjazzd, "music21": read_music21_corpus}
