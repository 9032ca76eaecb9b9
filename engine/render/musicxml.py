"""MusicXML export of a `Score`, and import of MusicXML / ABC / Humdrum through music21.

Export builds the measures directly on the 16th grid: every bar is cut at each note boundary into
notes, chords and rests, with ties where a note crosses a cut or a bar line, so music21 only has to
spell it. Pitched tracks become one part each (with their General MIDI instrument); drums become a
percussion part of unpitched notes placed on the usual drum-kit staff lines. Drum hits are written
as 16ths (a hit has no meaningful length), and drum sounds with no staff position of their own fall
back to the snare line, so reading such a file back gives a snare. Velocities are not written.

Import quantises every onset and length onto the 16th grid and takes meter, tempo, key and chord
symbols from the file when present.
"""

from __future__ import annotations

import itertools
import math
import tempfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from music21 import (
    chord,
    clef,
    converter,
    harmony,
    instrument,
    key,
    metadata,
    meter,
    note,
    percussion,
    stream,
    tempo,
    tie,
)
from music21.common.types import StepName
from music21.musicxml.m21ToXml import GeneralObjectExporter

from engine.music.score import (
    MODES,
    PITCH_NAMES,
    STEPS_PER_QUARTER,
    ChordLabel,
    Key,
    Meter,
    Note,
    Role,
    Score,
    Track,
)

READABLE_SUFFIXES = (".mxl", ".musicxml", ".xml", ".abc", ".krn")
DEFAULT_VELOCITY = 90
BASS_CLEF_BELOW = 55  # a part whose mean pitch is under G3 gets a bass clef
DRUM_FALLBACK = 38
# ChordLabel.quality → MusicXML chord kind; read back through the inverse map.
CHORD_KINDS = {
    "maj": "major", "min": "minor", "7": "dominant-seventh", "maj7": "major-seventh",
    "m7": "minor-seventh", "dim": "diminished", "m7b5": "half-diminished-seventh",
    "sus4": "suspended-fourth", "aug": "augmented",
}
QUALITIES = {kind: quality for quality, kind in CHORD_KINDS.items()}
# General MIDI drum → (display step, octave, notehead) on a five-line drum staff.
DRUM_STAFF: dict[int, tuple[StepName, int, str]] = {
    36: ("F", 4, "normal"), 35: ("E", 4, "normal"), 38: ("C", 5, "normal"), 40: ("C", 5, "slash"),
    37: ("C", 5, "x"), 39: ("C", 5, "diamond"), 42: ("G", 5, "x"), 46: ("G", 5, "circle-x"),
    44: ("D", 4, "x"), 49: ("A", 5, "x"), 57: ("B", 5, "x"), 51: ("F", 5, "x"), 53: ("F", 5, "diamond"),
    48: ("E", 5, "normal"), 50: ("E", 5, "normal"), 45: ("D", 5, "normal"), 47: ("D", 5, "normal"),
    43: ("A", 4, "normal"), 41: ("G", 4, "normal"),
}
# Reading back, a place shared by two drums gives the lower General MIDI number.
_DRUM_BY_PLACE = {place: pitch for pitch, place in sorted(DRUM_STAFF.items(), reverse=True)}
_DRUM_BY_LINE = {(step, octave): pitch for (step, octave, _), pitch in _DRUM_BY_PLACE.items()}


# ---------------------------------------------------------------------------------------------- export

def _quarters(steps: int) -> float:
    return steps / STEPS_PER_QUARTER


def _tie(sounding: Note, lo: int, hi: int) -> tie.Tie | None:
    """How a note sounding through the cut [lo, hi) ties to its neighbours."""
    before, after = sounding.start < lo, sounding.end > hi
    if before and after:
        return tie.Tie("continue")
    return tie.Tie("stop") if before else tie.Tie("start") if after else None


def _pitched(sounding: list[Note], lo: int, hi: int) -> note.GeneralNote:
    """A note, chord or rest for the cut [lo, hi) given the notes sounding through it."""
    length = _quarters(hi - lo)
    if not sounding:
        return note.Rest(quarterLength=length)
    by_pitch = {n.pitch: n for n in sorted(sounding, key=lambda n: n.start)}
    notes = []
    for pitch, source in sorted(by_pitch.items()):
        element = note.Note(pitch, quarterLength=length)
        element.tie = _tie(source, lo, hi)
        notes.append(element)
    return notes[0] if len(notes) == 1 else chord.Chord(notes, quarterLength=length)


def _unpitched(pitch: int) -> note.Unpitched:
    step, octave, head = DRUM_STAFF.get(pitch, DRUM_STAFF[DRUM_FALLBACK])
    hit = note.Unpitched(quarterLength=_quarters(1))
    hit.displayStep, hit.displayOctave, hit.notehead = step, octave, head
    return hit


def _drums(sounding: list[Note], lo: int, hi: int) -> note.GeneralNote:
    """A drum hit (or simultaneous hits) at `lo`, lasting the cut [lo, hi)."""
    length = _quarters(hi - lo)
    hits = sorted({n.pitch for n in sounding if n.start == lo})
    if not hits:
        return note.Rest(quarterLength=length)
    if len(hits) == 1:
        single = _unpitched(hits[0])
        single.quarterLength = length
        return single
    return percussion.PercussionChord([_unpitched(p) for p in hits], quarterLength=length)


def _bar_elements(track: Track, lo: int, hi: int) -> list[note.GeneralNote]:
    """The bar [lo, hi) cut at every note boundary into consecutive notes, chords and rests."""
    notes = [n for n in track.notes if n.start < hi and n.end > lo]
    if track.is_drum:
        notes = [Note(n.pitch, n.start, 1) for n in notes if n.start >= lo]
    cuts = sorted({lo, hi} | {min(hi, max(lo, t)) for n in notes for t in (n.start, n.end)})
    build = _drums if track.is_drum else _pitched
    return [build([n for n in notes if n.start < b and n.end > a], a, b) for a, b in itertools.pairwise(cuts)]


def _instrument(track: Track) -> instrument.Instrument:
    if track.is_drum:
        return instrument.UnpitchedPercussion()
    return instrument.instrumentFromMidiProgram(track.program)


def _clef(track: Track) -> clef.Clef:
    if track.is_drum:
        return clef.PercussionClef()
    mean = sum(n.pitch for n in track.notes) / len(track.notes) if track.notes else 60
    return clef.BassClef() if mean < BASS_CLEF_BELOW else clef.TrebleClef()


def _m21_key(k: Key) -> key.Key:
    return key.Key(PITCH_NAMES[k.tonic].replace("b", "-"), k.mode)


def _chord_symbol(label: ChordLabel) -> harmony.ChordSymbol | None:
    kind = CHORD_KINDS.get(label.quality)
    if kind is None:
        return None
    return harmony.ChordSymbol(root=PITCH_NAMES[label.root].replace("b", "-"), kind=kind)


def _part(score: Score, track: Track, number: int) -> stream.Part:
    """Track → part `number`; part 1 carries the tempo mark, the (first) melody the chord symbols."""
    labels = score.chords if track is score.track(Role.MELODY) else []
    part = stream.Part()
    part.partName = track.name or track.role.value.capitalize()
    part.insert(0, _instrument(track))
    spb = score.meter.steps_per_bar
    for bar in range(score.bars):
        lo, hi = bar * spb, (bar + 1) * spb
        measure = stream.Measure(number=bar + 1)
        if bar == 0:
            measure.append(_clef(track))
            if score.key is not None and not track.is_drum:
                measure.append(_m21_key(score.key))
            measure.append(meter.TimeSignature(str(score.meter)))
            if number == 1:
                measure.append(tempo.MetronomeMark(number=score.tempo, referent=note.Note(type="quarter")))
        for element in _bar_elements(track, lo, hi):
            measure.append(element)
        for label in labels:
            symbol = _chord_symbol(label) if lo <= label.start < hi else None
            if symbol is not None:
                measure.insert(_quarters(label.start - lo), symbol)
        part.append(measure)
    return part


def to_music21(score: Score, title: str = "Cadenza") -> stream.Score:
    """The score as music21 parts and measures, pitched tracks first, drums last."""
    m21 = stream.Score()
    m21.metadata = metadata.Metadata(title=title, composer="Cadenza")
    tracks = sorted(score.tracks, key=lambda t: t.is_drum)
    for number, track in enumerate(tracks, start=1):
        m21.insert(0, _part(score, track, number))
    return m21


def write_musicxml(score: Score, path: Path | None = None, title: str = "Cadenza") -> bytes:
    """Uncompressed MusicXML bytes for the score; also written to `path` when given."""
    data: bytes = GeneralObjectExporter(to_music21(score, title)).parse()
    if path is not None:
        Path(path).write_bytes(data)
    return data


# ---------------------------------------------------------------------------------------------- import

def _step(quarters: float | Fraction) -> int:
    return round(float(quarters) * STEPS_PER_QUARTER)


def _meter(parsed: stream.Score) -> Meter:
    ts = next(iter(parsed.recurse().getElementsByClass(meter.TimeSignature)), None)
    if ts is None or (ts.numerator * 16) % ts.denominator:
        return Meter()
    return Meter(ts.numerator, ts.denominator)


def _tempo(parsed: stream.Score) -> float:
    mark = next(iter(parsed.recurse().getElementsByClass(tempo.MetronomeMark)), None)
    bpm = mark.getQuarterBPM() if mark is not None else None
    return round(float(bpm), 3) if bpm else 120.0


def _key(parsed: stream.Score) -> Key | None:
    found = next(iter(parsed.recurse().getElementsByClass(key.KeySignature)), None)
    if found is None:
        return None
    k = found if isinstance(found, key.Key) else found.asKey("major")
    return Key(k.tonic.pitchClass, k.mode if k.mode in MODES else "major")


def _chords(parsed: stream.Score) -> list[ChordLabel]:
    """Chord symbols from the first part that has any, with their quality mapped when known."""
    for part in parsed.parts:
        symbols = part.flatten().getElementsByClass(harmony.ChordSymbol)
        if symbols:
            return [ChordLabel(_step(cs.offset), cs.root().pitchClass,
                               QUALITIES.get(cs.chordKind, "min" if cs.isMinorTriad() else "maj"))
                    for cs in symbols if not isinstance(cs, harmony.NoChord) and cs.root() is not None]
    return []


def _drum_pitch(hit: note.Unpitched) -> int:
    stored = getattr(hit, "storedInstrument", None)
    if stored is not None and getattr(stored, "percMapPitch", None) is not None:
        return int(stored.percMapPitch)
    place = (hit.displayStep, hit.displayOctave)
    return _DRUM_BY_PLACE.get((*place, hit.notehead), _DRUM_BY_LINE.get(place, DRUM_FALLBACK))


def _is_percussion(part: stream.Part) -> bool:
    inst = part.getInstrument(returnDefault=False)
    if isinstance(inst, instrument.UnpitchedPercussion):
        return True
    return any(isinstance(n, note.Unpitched | percussion.PercussionChord) for n in part.recurse().notes)


def _part_notes(part: stream.Part, drums: bool) -> list[Note]:
    """Every note or chord member quantised onto the grid, tied notes joined into one."""
    notes: list[Note] = []
    held: dict[int, int] = {}  # pitch → index in `notes` of the note whose tie is still open
    for element in part.flatten().notes:
        if isinstance(element, harmony.Harmony) or element.quarterLength <= 0:
            continue
        start = _step(element.offset)
        end = max(start + 1, _step(element.offset + element.quarterLength))
        members = element.notes if isinstance(element, chord.ChordBase) else [element]
        for member in members:
            if isinstance(member, note.Unpitched):
                notes.append(Note(_drum_pitch(member), start, end - start, DEFAULT_VELOCITY))
            elif isinstance(member, note.Note) and not drums:
                _add_tied(notes, held, member, start, end)
    return notes


def _add_tied(notes: list[Note], held: dict[int, int], member: note.Note, start: int, end: int) -> None:
    """Append the note, or lengthen the held note of the same pitch that it is tied from."""
    pitch = member.pitch.midi
    kind = member.tie.type if member.tie is not None else None
    index = held.pop(pitch, None)
    if index is not None and kind in ("stop", "continue") and notes[index].end == start:
        notes[index] = replace(notes[index], duration=end - notes[index].start)
    else:
        index = len(notes)
        notes.append(Note(pitch, start, end - start, DEFAULT_VELOCITY))
    if kind in ("start", "continue"):
        held[pitch] = index


def _program(part: stream.Part) -> int:
    inst = part.getInstrument(returnDefault=False)
    return int(inst.midiProgram) if inst is not None and inst.midiProgram is not None else 0


def _tracks(parsed: stream.Score) -> list[Track]:
    """Parts → tracks: percussion → drums; top pitched part melody, lowest bass (3+ parts), rest harmony."""
    tracks: list[Track] = []
    pitched: list[Track] = []
    for part in parsed.parts:
        drums = _is_percussion(part)
        notes = _part_notes(part, drums)
        if not notes:
            continue
        track = Track(Role.DRUMS if drums else Role.HARMONY, 0 if drums else _program(part), notes,
                      (part.partName or "").strip())
        tracks.append(track)
        if not drums:
            pitched.append(track)
    if pitched:
        pitched[0].role = Role.MELODY
        if len(pitched) > 2:
            pitched[-1].role = Role.BASS
    return tracks


def from_music21(parsed: stream.Score) -> Score:
    """A parsed music21 score quantised onto the 16th grid."""
    m = _meter(parsed)
    tracks = _tracks(parsed)
    end = max([_step(parsed.highestTime), *(n.end for t in tracks for n in t.notes)])
    return Score(tempo=_tempo(parsed), meter=m, bars=max(1, math.ceil(end / m.steps_per_bar)),
                 key=_key(parsed), tracks=tracks, chords=_chords(parsed))


def read_music21(path: Path | str) -> Score:
    """Read .mxl/.musicxml/.xml/.abc/.krn (the first tune of a multi-tune file) into a score."""
    suffix = Path(path).suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise ValueError(f"unsupported score file {suffix!r}; expected one of {READABLE_SUFFIXES}")
    parsed = converter.parse(str(path), forceSource=True)
    if isinstance(parsed, stream.Opus):
        parsed = parsed.scores[0]
    if not isinstance(parsed, stream.Score):
        wrapper = stream.Score()
        wrapper.insert(0, parsed)
        parsed = wrapper
    return from_music21(parsed)


def read_musicxml(source: Path | str | bytes) -> Score:
    """Read MusicXML from a path, or from bytes (plain or compressed .mxl)."""
    if not isinstance(source, bytes | bytearray):
        return read_music21(source)
    suffix = ".mxl" if source[:2] == b"PK" else ".musicxml"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"score{suffix}"
        path.write_bytes(source)
        return read_music21(path)
