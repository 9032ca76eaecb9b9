"""A fixed-order vector of named musical features of a score, for style tagging and taste models.

Choices: the pitch-class histogram is key-relative (index 0 is the estimated tonic, duration
weighted, summing to 1), so that it describes a style's scale use whatever key a piece is in; the
key itself is only summarised by mode and strength. A missing role gives zeros and `has_<role>` 0.
Melody statistics follow the top line of the melody tracks. Rhythm positions are within the quarter
note (16th steps 0–3) and use the pitched parts' onsets; drums have features of their own. Swing is
measured from performed MIDI timing when given (`swing_ratio_from_midi`), else the score's own
swing setting (0 for quantised files); `swing_measured` says which.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

import numpy as np
import pretty_midi

from ..data.encoding import DRUM_CLASS_OF_PITCH
from ..music.score import STEPS_PER_QUARTER, Meter, Role, Score
from .harmony import half_bar_chords
from .key import find_key, pitch_class_histogram

ROLES = (Role.MELODY, Role.HARMONY, Role.BASS, Role.DRUMS)
PITCHED = (Role.MELODY, Role.HARMONY, Role.BASS)
METERS = ("4/4", "3/4", "6/8")
KICK, SNARE, CLOSED_HAT, OPEN_HAT, RIDE = 0, 1, 2, 3, 8  # MusicVAE drum classes (engine.data.encoding)
SEVENTHS, MINORS, DIMINISHED = ("7", "maj7", "m7", "m7b5"), ("min", "m7"), ("dim", "m7b5")
# Swing measurement: onsets closer than a 24th of a quarter are one event; an event up to a 32nd
# early is on the beat; a beat with exactly two events, the second inside the window, is an 8th pair.
ONSET_MERGE_QUARTERS = 1 / 24
ON_BEAT_TOLERANCE = 0.125
OFF_BEAT_WINDOW = (0.4, 0.8)
MIN_SWING_PAIRS = 8

FEATURE_NAMES: tuple[str, ...] = (
    *(f"has_{r}" for r in ROLES),
    "tempo", *(f"meter_{m.replace('/', '_')}" for m in METERS), "meter_other",
    "key_minor", "key_strength", "key_minor_margin",
    *(f"pc_{i}" for i in range(12)),
    "melody_interval_mean", "melody_repeat_share", "melody_step_share", "melody_skip_share",
    "melody_leap_share", "melody_up_share", "melody_down_share", "melody_duration_mean",
    *(f"density_{r}" for r in ROLES),
    "polyphony", "silence_share",
    *(f"pitch_{stat}_{r}" for r in PITCHED for stat in ("mean", "min", "max")),
    *(f"onset_position_{i}" for i in range(STEPS_PER_QUARTER)),
    "syncopation", "drum_syncopation",
    "swing_ratio", "swing_measured",
    "chord_seventh_share", "chord_dominant_share", "chord_minor_share", "chord_diminished_share",
    "chord_changes_per_bar", "chord_vocabulary",
    "kick_per_bar", "snare_per_bar", "hat_per_bar", "ride_per_bar", "backbeat", "hat_16th_share",
)


def _notes(score: Score, roles: tuple[Role, ...]) -> np.ndarray:
    """[n, 3] int array of (pitch, start, duration) over every track with one of `roles`."""
    rows = [(n.pitch, n.start, n.duration) for t in score.tracks if t.role in roles for n in t.notes]
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def _drum_classes(notes: np.ndarray) -> np.ndarray:
    """MusicVAE drum class of each drum note (-1: none)."""
    return np.array([DRUM_CLASS_OF_PITCH.get(int(p), -1) for p in notes[:, 0]], dtype=np.int64)


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else 0.0


def _tonal(score: Score) -> dict[str, float]:
    hist = pitch_class_histogram(score)
    found = find_key(hist)
    if found is None:
        return {"key_minor": 0.0, "key_strength": 0.0, "key_minor_margin": 0.0} | {f"pc_{i}": 0.0 for i in range(12)}
    relative = np.roll(hist, -found.key.tonic) / hist.sum()
    return {"key_minor": float(found.key.is_minor), "key_strength": found.strength,
            "key_minor_margin": found.minor_margin} | {f"pc_{i}": float(v) for i, v in enumerate(relative)}


def _melody(score: Score) -> dict[str, float]:
    """Intervals, contour and note length of the melody's top line."""
    notes = _notes(score, (Role.MELODY,))
    notes = notes[np.lexsort((-notes[:, 0], notes[:, 1]))]
    line = notes[np.unique(notes[:, 1], return_index=True)[1]]
    steps = np.diff(line[:, 0])
    size = np.abs(steps)
    return {
        "melody_interval_mean": float(size.mean()) if size.size else 0.0,
        "melody_repeat_share": _share(size == 0), "melody_step_share": _share((size >= 1) & (size <= 2)),
        "melody_skip_share": _share((size >= 3) & (size <= 4)), "melody_leap_share": _share(size >= 5),
        "melody_up_share": _share(steps > 0), "melody_down_share": _share(steps < 0),
        "melody_duration_mean": float(line[:, 2].mean()) / STEPS_PER_QUARTER if len(line) else 0.0,
    }


def _texture(score: Score) -> dict[str, float]:
    """Presence, density, register and polyphony per role."""
    bars, total = max(1, score.bars), score.total_steps
    out: dict[str, float] = {}
    for role in ROLES:
        notes = _notes(score, (role,))
        out[f"has_{role}"] = float(len(notes) > 0)
        out[f"density_{role}"] = len(notes) / bars
        if role is not Role.DRUMS:
            pitches = notes[:, 0] if len(notes) else np.zeros(1)
            out |= {f"pitch_mean_{role}": float(pitches.mean()), f"pitch_min_{role}": float(pitches.min()),
                    f"pitch_max_{role}": float(pitches.max())}
    pitched = _notes(score, PITCHED)
    change = np.zeros(total + 1)
    np.add.at(change, np.clip(pitched[:, 1], 0, total), 1.0)
    np.add.at(change, np.clip(pitched[:, 1] + pitched[:, 2], 0, total), -1.0)
    sounding = np.cumsum(change)[:total]
    out["polyphony"] = float(sounding[sounding > 0].mean()) if (sounding > 0).any() else 0.0
    out["silence_share"] = _share(sounding == 0)
    return out


@lru_cache(maxsize=32)
def _steps_to_stronger(meter: Meter) -> np.ndarray:
    """Per step of the bar, how far ahead the next metrically stronger step is (0: the downbeat)."""
    steps = np.arange(meter.steps_per_bar)
    weight = np.where(steps == 0, 3, np.where(steps % meter.beat_steps == 0, 2, np.where(steps % 2 == 0, 1, 0)))
    ahead = np.zeros(len(steps), dtype=np.int64)
    for s in steps[1:]:
        ahead[s] = next(k for k in range(1, len(steps) + 1) if weight[(s + k) % len(steps)] > weight[s])
    return ahead


def syncopation(onsets: np.ndarray, meter: Meter, total: int) -> float:
    """Share of onsets on a weak position with no onset up to and on the next stronger one."""
    onsets = np.unique(onsets[(onsets >= 0) & (onsets < total)])
    if not onsets.size:
        return 0.0
    hit = np.zeros(total + 1, dtype=np.int64)
    hit[onsets] = 1
    count = np.concatenate([[0], np.cumsum(hit)])  # count[i]: onsets before step i
    ahead = _steps_to_stronger(meter)[onsets % meter.steps_per_bar]
    judged = (ahead > 0) & (onsets + ahead < total)
    reach = np.minimum(onsets + ahead + 1, total)
    silent = count[reach] - count[onsets + 1] == 0
    return float((judged & silent).sum() / onsets.size)


def _rhythm(score: Score) -> dict[str, float]:
    onsets = np.unique(_notes(score, PITCHED)[:, 1])
    drums = _notes(score, (Role.DRUMS,))
    accents = drums[np.isin(_drum_classes(drums), (KICK, SNARE)), 1]
    positions = np.bincount(onsets % STEPS_PER_QUARTER, minlength=STEPS_PER_QUARTER) / max(1, onsets.size)
    return {f"onset_position_{i}": float(v) for i, v in enumerate(positions)} | {
        "syncopation": syncopation(onsets, score.meter, score.total_steps),
        "drum_syncopation": syncopation(accents, score.meter, score.total_steps),
    }


def _drums(score: Score) -> dict[str, float]:
    """Kit densities per bar, backbeat (snare hits on even beats, 0 for meters with odd beats), 16th hats."""
    notes = _notes(score, (Role.DRUMS,))
    kind = _drum_classes(notes)
    spb, beat, bars = score.meter.steps_per_bar, score.meter.beat_steps, max(1, score.bars)
    snare = notes[kind == SNARE, 1] % spb
    hats = notes[np.isin(kind, (CLOSED_HAT, OPEN_HAT)), 1]
    even_beats = (spb // beat) % 2 == 0
    return {
        "kick_per_bar": float((kind == KICK).sum()) / bars, "snare_per_bar": snare.size / bars,
        "hat_per_bar": hats.size / bars, "ride_per_bar": float((kind == RIDE).sum()) / bars,
        "backbeat": _share((snare % beat == 0) & (snare // beat % 2 == 1)) if even_beats else 0.0,
        "hat_16th_share": _share(hats % 2 == 1),
    }


def _chords(score: Score) -> dict[str, float]:
    labels = [c for c in half_bar_chords(score) if c is not None]
    quality = np.array([c.quality for c in labels], dtype=str)
    symbols = [c.symbol for c in labels]
    return {
        "chord_seventh_share": _share(np.isin(quality, SEVENTHS)),
        "chord_dominant_share": _share(quality == "7"),
        "chord_minor_share": _share(np.isin(quality, MINORS)),
        "chord_diminished_share": _share(np.isin(quality, DIMINISHED)),
        "chord_changes_per_bar": sum(a != b for a, b in pairwise(symbols)) / max(1, score.bars),
        "chord_vocabulary": float(len(set(symbols))),
    }


def nominal_swing_ratio(score: Score) -> float:
    """The 8th-pair ratio the score's swing setting renders (as `engine.music.midi` applies it)."""
    if score.meter.beat_steps != STEPS_PER_QUARTER:
        return 1.0
    off_beat = 0.5 + score.swing / 6.0
    return off_beat / (1.0 - off_beat)


def _quarter_positions(pm: pretty_midi.PrettyMIDI, times: np.ndarray) -> np.ndarray:
    """Seconds → quarter notes from the file's start, following its tempo changes."""
    change_times, tempi = pm.get_tempo_changes()
    if not len(change_times):
        return times * 2.0
    at_change = np.concatenate([[0.0], np.cumsum(np.diff(change_times) * tempi[:-1] / 60.0)])
    i = np.clip(np.searchsorted(change_times, times, side="right") - 1, 0, None)
    return at_change[i] + (times - change_times[i]) * tempi[i] / 60.0


def swing_ratio_from_midi(pm: pretty_midi.PrettyMIDI) -> float | None:
    """Long-to-short ratio of performed 8th pairs (1 straight, 2 triplet swing); None if too few pairs
    or the meter is compound."""
    ts = pm.time_signature_changes
    if ts and ts[0].denominator == 8 and ts[0].numerator % 3 == 0:
        return None
    times = np.array([n.start for inst in pm.instruments for n in inst.notes], dtype=float)
    if not times.size:
        return None
    q = np.sort(_quarter_positions(pm, times))
    q = q[np.concatenate([[True], np.diff(q) > ONSET_MERGE_QUARTERS])]
    beat = np.floor(q + ON_BEAT_TOLERANCE)
    _, first, count = np.unique(beat, return_index=True, return_counts=True)
    first = first[count == 2]
    on_beat, off_beat = q[first] - beat[first], q[first + 1] - beat[first]
    pairs = off_beat[(on_beat < ON_BEAT_TOLERANCE) & (off_beat > OFF_BEAT_WINDOW[0]) & (off_beat < OFF_BEAT_WINDOW[1])]
    if pairs.size < MIN_SWING_PAIRS:
        return None
    middle = float(np.median(pairs))
    return middle / (1.0 - middle)


def extract_features(score: Score, swing_ratio: float | None = None) -> dict[str, float]:
    """FEATURE_NAMES → value for the score; `swing_ratio` is the measured one when known."""
    meter = str(score.meter)
    values = (_texture(score) | _tonal(score) | _melody(score) | _rhythm(score) | _drums(score) | _chords(score)
              | {f"meter_{m.replace('/', '_')}": float(meter == m) for m in METERS}
              | {"tempo": score.tempo, "meter_other": float(meter not in METERS),
                 "swing_ratio": nominal_swing_ratio(score) if swing_ratio is None else swing_ratio,
                 "swing_measured": float(swing_ratio is not None)})
    return {name: float(values[name]) for name in FEATURE_NAMES}
