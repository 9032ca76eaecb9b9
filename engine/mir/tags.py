"""Basic tags read back from a score: key, tempo, meter, bars, density, range, chords per bar."""

from __future__ import annotations

from typing import Any

from ..music.score import PITCH_NAMES, Key, Role, Score
from .key import key_of


def note_name(pitch: int) -> str:
    return f"{PITCH_NAMES[pitch % 12]}{pitch // 12 - 1}"


def basic_tags(score: Score) -> dict[str, Any]:
    """What a listener would read off the piece; the full MIR module refines these."""
    melody = score.track(Role.MELODY)
    pitches = [n.pitch for n in melody.notes] if melody else []
    spb = score.meter.steps_per_bar
    key = key_of(score) or Key(0, "major")
    per_bar: list[str] = []
    for bar in range(score.bars):
        labels = [c.spelled(key) for c in score.chords if bar * spb <= c.start < (bar + 1) * spb]
        per_bar.append(" ".join(dict.fromkeys(labels)) or (per_bar[-1] if per_bar else "N"))
    return {
        "key": str(key),
        "tempo": round(score.tempo),
        "meter": str(score.meter),
        "bars": score.bars,
        "note_density": round(len(pitches) / max(1, score.bars), 2),
        "pitch_range": [note_name(min(pitches)), note_name(max(pitches))] if pitches else [],
        "chords": per_bar,
        "instruments": [t.role.value for t in score.tracks],
    }
