"""Reading untrusted MIDI, MusicXML and ABC files into scores, within limits a hostile file cannot break.

The bytes are checked (size, type, header) in this process; the parse runs in a forked child with
an address-space limit (`MEMORY_LIMIT_BYTES` on top of what the child inherits) and is killed after
`PARSE_TIMEOUT_S`. Forking is cheap (the parsers are already imported) and the child only runs
pure-Python parsers. Every refusal is an `UnreadableFile` with a one-line reason.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import tempfile
import warnings
from multiprocessing.connection import Connection
from pathlib import Path

import pretty_midi

from ..music.midi import from_pretty_midi
from ..music.score import Score
from ..render.musicxml import read_music21

MAX_BYTES = 256 * 1024
PARSE_TIMEOUT_S = 4.0
"""Below SPEC's 5 s, so that a refusal, fork and clean-up included, comes within it (bench/hostile_files.py)."""
MEMORY_LIMIT_BYTES = 512 * 1024 * 1024
MAX_NOTES = 20_000
MAX_SECONDS = 30 * 60
MAX_BARS = 2_000
MAX_MIDI_TICKS = 2**23  # pretty_midi keeps a float per tick: 64 MiB at most
MIDI_SUFFIXES = (".mid", ".midi")
SCORE_SUFFIXES = (".mxl", ".musicxml", ".xml", ".abc")
ACCEPTED = MIDI_SUFFIXES + SCORE_SUFFIXES
_KINDS = {".mid": "MIDI", ".midi": "MIDI", ".mxl": "compressed MusicXML", ".musicxml": "MusicXML",
          ".xml": "MusicXML", ".abc": "ABC"}

Loaded = tuple[Score, pretty_midi.PrettyMIDI | None]


class UnreadableFile(ValueError):
    """A file refused or failed to parse; the message says what was wrong on one line."""


def load_score(path: Path) -> Loaded:
    """The score in a .mid/.midi/.mxl/.musicxml/.xml/.abc file, and its MIDI for MIDI files."""
    path = Path(path)
    suffix = _accepted_suffix(path.name)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path.name}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"file too large: {_kib(path.stat().st_size)}; the limit is {_kib(MAX_BYTES)}")
    return _load(data, suffix)


def load_score_bytes(data: bytes, name: str) -> Loaded:
    """As `load_score`, for an upload's bytes; `name` gives the type by its suffix."""
    suffix = _accepted_suffix(name)
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"file too large: {_kib(len(data))}; the limit is {_kib(MAX_BYTES)}")
    return _load(data, suffix)


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB"


def _accepted_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED:
        raise UnreadableFile(f"unsupported type {suffix or '(none)'}; accepted: {', '.join(ACCEPTED)}")
    return suffix


def _check_bytes(data: bytes, suffix: str) -> None:
    """Cheap refusals before any parser sees the file."""
    if not data.strip():
        raise UnreadableFile("empty file")
    if suffix in MIDI_SUFFIXES and not data.startswith(b"MThd"):
        raise UnreadableFile("not a MIDI file: bad header (a MIDI file starts with 'MThd')")
    if suffix in MIDI_SUFFIXES and b"MTrk" not in data:
        raise UnreadableFile("not a readable MIDI file: it has no tracks")
    if suffix == ".mxl" and not data.startswith(b"PK"):
        raise UnreadableFile("not a compressed MusicXML file: not a zip archive")
    if suffix in (".musicxml", ".xml"):
        if b"<score-partwise" not in data and b"<score-timewise" not in data:
            raise UnreadableFile("not a MusicXML file: no <score-partwise> or <score-timewise> element")
        if b"<!ENTITY" in data:
            raise UnreadableFile("MusicXML with entity declarations is not accepted")
    if suffix == ".abc" and not any(line.lstrip().startswith(b"K:") for line in data.splitlines()):
        raise UnreadableFile("not an ABC file: no K: (key) field")


def _load(data: bytes, suffix: str) -> Loaded:
    _check_bytes(data, suffix)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, data, suffix), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(PARSE_TIMEOUT_S):
            raise UnreadableFile(f"file took longer than {PARSE_TIMEOUT_S:g} s to read")
        ok, payload = receiver.recv()
    except EOFError:
        raise UnreadableFile("file could not be read: the reader crashed") from None
    finally:
        child.kill()
        child.join()
        receiver.close()
    if not ok:
        raise UnreadableFile(payload)
    return payload


def _mib(size: int) -> str:
    return f"{size // 2**20} MiB"


def _limit_memory() -> None:
    """Cap the address space at what the child inherited plus MEMORY_LIMIT_BYTES (Linux only)."""
    try:
        with open("/proc/self/statm") as f:
            inherited = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = inherited + MEMORY_LIMIT_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _silence() -> None:
    """Keep what parsers print (warnings, music21 notices) off the caller's stdout and stderr."""
    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _child(conn: Connection, data: bytes, suffix: str) -> None:
    """Parse in the forked child and send back (True, result) or (False, reason)."""
    _limit_memory()
    _silence()
    kind = _KINDS[suffix]
    result: tuple[bool, object]
    try:
        result = (True, _parse(data, suffix))
    except UnreadableFile as exc:
        result = (False, str(exc))
    except MemoryError:
        result = (False, f"file needs more than {_mib(MEMORY_LIMIT_BYTES)} to read")
    except EOFError:
        result = (False, f"not a readable {kind} file: it ends too early (truncated?)")
    except ZeroDivisionError:
        result = (False, f"not a readable {kind} file: its timing is invalid (a tempo or time division of zero)")
    except Exception as exc:  # a parser's own complaint about a malformed file
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        result = (False, f"not a readable {kind} file: {reason}")
    try:
        conn.send(result)
    except MemoryError:
        conn.send((False, f"file needs more than {_mib(MEMORY_LIMIT_BYTES)} to read"))
    conn.close()


def _parse(data: bytes, suffix: str) -> Loaded:
    if suffix in MIDI_SUFFIXES:
        pm = pretty_midi.PrettyMIDI(io.BytesIO(data))
        notes = sum(len(inst.notes) for inst in pm.instruments)
        _check_size(notes, pm.get_end_time())
        if pm.time_to_tick(pm.get_end_time()) > MAX_MIDI_TICKS:
            raise UnreadableFile(f"file too long: more than {MAX_MIDI_TICKS} MIDI ticks")
        score = from_pretty_midi(pm)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"score{suffix}"
            path.write_bytes(data)
            score = read_music21(path)
        pm = None
    _check_size(sum(len(t.notes) for t in score.tracks), score.duration_seconds)
    if score.meter.steps_per_bar < 2 or score.meter.beat_steps < 1:
        raise UnreadableFile(f"unsupported meter {score.meter}: a bar must last at least an 8th note")
    if score.bars > MAX_BARS:
        raise UnreadableFile(f"file too long: {score.bars} bars; the limit is {MAX_BARS}")
    return score, pm


def _check_size(notes: int, seconds: float) -> None:
    if notes == 0:
        raise UnreadableFile("file has no notes")
    if notes > MAX_NOTES:
        raise UnreadableFile(f"file has too many notes: {notes}; the limit is {MAX_NOTES}")
    if seconds > MAX_SECONDS:
        raise UnreadableFile(f"file too long: {seconds / 60:.0f} minutes; the limit is {MAX_SECONDS // 60} minutes")
