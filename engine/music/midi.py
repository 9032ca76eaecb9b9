"""MIDI reader and writer for `Score`, through pretty_midi.

Writing renders the performance: swing and seeded humanisation are applied here, and the file
ends exactly at the last bar line. Reading quantises onto the 16th grid using the file's own
beat map (so tempo changes are followed) and guesses each track's role.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pretty_midi

from .score import STEPS_PER_QUARTER, Key, Meter, Note, Role, Score, Track

TICKS_PER_QUARTER = 480
_END_MARKER_CC = 121  # "reset all controllers": harmless, and pins the file's end to the last bar line


def _performed_step(step: float, swing: float, meter: Meter) -> float:
    """Where a grid position sounds once swing moves off-beat 8ths late (simple meters only)."""
    if swing <= 0 or meter.beat_steps != STEPS_PER_QUARTER:
        return step
    beat, pos = divmod(step / STEPS_PER_QUARTER, 1.0)
    mid = 0.5 + swing / 6.0  # full swing puts the off-beat 8th on the last triplet
    pos = pos / 0.5 * mid if pos < 0.5 else mid + (pos - 0.5) / 0.5 * (1 - mid)
    return (beat + pos) * STEPS_PER_QUARTER


def to_pretty_midi(score: Score) -> pretty_midi.PrettyMIDI:
    """The score as a performance: swing and humanisation applied, deterministic for a seed."""
    pm = pretty_midi.PrettyMIDI(resolution=TICKS_PER_QUARTER, initial_tempo=score.tempo)
    pm.time_signature_changes.append(
        pretty_midi.TimeSignature(score.meter.numerator, score.meter.denominator, 0.0))
    if score.key is not None:
        pm.key_signature_changes.append(
            pretty_midi.KeySignature(score.key.tonic + (12 if score.key.is_minor else 0), 0.0))
    rng = random.Random(score.seed)
    sps, end_time = score.seconds_per_step, score.duration_seconds
    jitter_s, jitter_v = 0.008 * score.humanize, 6.0 * score.humanize
    for track in score.tracks:
        inst = pretty_midi.Instrument(program=0 if track.is_drum else track.program,
                                      is_drum=track.is_drum, name=track.name or track.role.value)
        for note in sorted(track.notes, key=lambda n: (n.start, n.pitch)):
            start = _performed_step(note.start, score.swing, score.meter) * sps
            end = _performed_step(note.end, score.swing, score.meter) * sps
            if score.humanize > 0:
                start = max(0.0, start + max(-2.0, min(2.0, rng.gauss(0, 1))) * jitter_s)
            velocity = int(np.clip(round(note.velocity + rng.gauss(0, 1) * jitter_v), 1, 127))
            start, end = min(start, end_time), min(end, end_time)
            if end - start > 1e-4:
                inst.notes.append(pretty_midi.Note(velocity, note.pitch, start, end))
        pm.instruments.append(inst)
    if not pm.instruments:
        pm.instruments.append(pretty_midi.Instrument(program=0))
    pm.instruments[0].control_changes.append(pretty_midi.ControlChange(_END_MARKER_CC, 0, end_time))
    return pm


def write_midi(score: Score, path: Path | None = None) -> bytes:
    """Standard MIDI file bytes for the score; also written to `path` when given."""
    buffer = io.BytesIO()
    to_pretty_midi(score).write(buffer)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _guess_roles(tracks: list[Track]) -> None:
    """Name tracks melody / bass / harmony from register and polyphony when names don't say."""
    pitched = [t for t in tracks if not t.is_drum and t.notes]
    if not pitched:
        return
    for t in pitched:
        name = t.name.lower()
        if "melod" in name or "lead" in name or "vocal" in name:
            t.role = Role.MELODY
        elif "bass" in name:
            t.role = Role.BASS
    if len(pitched) == 1:
        return
    if not any(t.role is Role.MELODY for t in pitched):
        max(pitched, key=lambda t: float(np.mean([n.pitch for n in t.notes]))).role = Role.MELODY
    if not any(t.role is Role.BASS for t in pitched):
        low = min(pitched, key=lambda t: float(np.mean([n.pitch for n in t.notes])))
        if low.role is Role.HARMONY and float(np.mean([n.pitch for n in low.notes])) < 52:
            low.role = Role.BASS


def from_pretty_midi(pm: pretty_midi.PrettyMIDI) -> Score:
    """Quantise a MIDI performance onto the 16th grid, following its tempo map through ticks."""

    def to_step(t: float) -> int:
        return int(round(pm.time_to_tick(t) / pm.resolution * STEPS_PER_QUARTER))

    ts = pm.time_signature_changes
    meter = Meter(ts[0].numerator, ts[0].denominator) if ts else Meter()
    if (meter.numerator * 16) % meter.denominator:
        meter = Meter()
    tracks: list[Track] = []
    for inst in pm.instruments:
        notes = []
        for n in inst.notes:
            s = to_step(n.start)
            e = max(s + 1, to_step(n.end))
            notes.append(Note(n.pitch, s, e - s, n.velocity))
        role = Role.DRUMS if inst.is_drum else Role.HARMONY
        tracks.append(Track(role, inst.program, notes, inst.name.strip()))
    _guess_roles(tracks)
    total = max(max((n.end for t in tracks for n in t.notes), default=0), to_step(pm.get_end_time()))
    bars = max(1, -(-total // meter.steps_per_bar))
    tempi = pm.get_tempo_changes()[1]
    tempo = float(tempi[0]) if len(tempi) else 120.0
    key = None
    if pm.key_signature_changes:
        k = pm.key_signature_changes[0].key_number
        key = Key(k % 12, "minor" if k >= 12 else "major")
    return Score(tempo=tempo, meter=meter, bars=bars, key=key, tracks=tracks)


def read_midi(source: Path | bytes) -> Score:
    """Read a MIDI file (path or bytes) into a quantised score."""
    if isinstance(source, bytes | bytearray):
        return from_pretty_midi(pretty_midi.PrettyMIDI(io.BytesIO(source)))
    return from_pretty_midi(pretty_midi.PrettyMIDI(str(source)))
