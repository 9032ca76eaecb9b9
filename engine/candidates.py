"""What composition reads off each candidate a model wrote, to rank them: silent bars, notes in and out
of the key, the key it reads as; and moving a candidate into the key asked for."""

from __future__ import annotations

from .data.encoding import CHORD_TONES, HOME_QUALITIES, MELODY_RANGE, PITCH0, REST, chord_of_token, segment_chroma
from .mir.key import find_key
from .models.base import Generated
from .music.score import Key, Meter

EMPTY_BAR_PENALTY = 2.0
"""Candidate ranking: nats of style fit traded for a melody that goes silent for a whole piece (and as many for
a bass line that does, when the band has a bass)."""
OUT_OF_KEY_PENALTY = 5.0
"""Candidate ranking: nats of style fit traded for a piece whose every note is outside its key. Without
it the tagger, which hears chromaticism as jazz, picked the candidate furthest out of key; raised from 3
with the label bonus below, which otherwise let more pieces stray (docs/models.md, "Style adherence")."""
HEARD_AS_ASKED_BONUS = 1.0
"""Candidate ranking: nats added to a candidate the tagger labels as the requested style, so the style the
reply reads back is the one asked for whenever a candidate allows it (docs/models.md, "Style adherence")."""
OTHER_KEY_PENALTY = 2.0
"""Candidate ranking: nats of style fit traded for a candidate that reads as another key than the one asked
for, so the key the reply's tags name is the requested one whenever a candidate allows it (docs/models.md,
"Keys")."""
ENDING_BONUS = 0.5
"""Candidate ranking: nats of style fit traded for a piece whose last chord is the key's tonic chord. The
models learnt from 8-bar windows taken every 4 bars, most ending mid-piece, so only 29% of compositions came
home; with it 53%, tagged as asked 0.986 -> 0.971 (docs/models.md, "Endings")."""
_STYLE_COLOURS = {"blues": (3, 10), "rock": (10,)}
"""Tones outside the major scale that a style uses as its own (blue notes, the rock bVII)."""


def empty_melody_bars(gen: Generated) -> float:
    """Share of bars in which the melody starts no note (MuseGAN's "empty bars" metric)."""
    return float(((gen.melody[0] >= PITCH0).sum(-1) == 0).float().mean())


def silent_bass_bars(gen: Generated) -> float:
    """Share of bars in which the bass sounds nothing (a note held over the bar line sounds)."""
    return float((gen.bass[0] == REST).all(-1).float().mean())


def ends_on_tonic(gen: Generated, key: Key) -> bool:
    """Whether row 0's last chord is the key's tonic triad or seventh (major, major seventh or dominant seventh
    in a major key; minor or minor seventh in a minor one)."""
    chords = [int(t) for t in gen.chords[0].reshape(-1) if int(t) > 0]
    last = chord_of_token(chords[-1]) if chords else None
    return last is not None and last[0] == key.tonic and last[1] in HOME_QUALITIES[key.is_minor]


def in_key_share(gen: Generated, key: Key, style: str) -> float:
    """Share of melody notes and chord tones (row 0) in the key's scale, with a minor key's leading tone and a
    major key's style colours."""
    extra = (11,) if key.is_minor else _STYLE_COLOURS.get(style, ()) if key.mode == "major" else ()
    scale = set(key.scale) | {(key.tonic + d) % 12 for d in extra}
    chords = gen.chords[0].reshape(-1).numpy()
    tones = [(root + t) % 12 for chord in chords[chords > 0] if (found := chord_of_token(int(chord))) is not None
             for root, quality in [found] for t in CHORD_TONES[quality]]
    melody = gen.melody[0].reshape(-1).numpy()
    pitches = tones + [int(MELODY_RANGE[0] + tok - PITCH0) % 12 for tok in melody[melody >= PITCH0]]
    return sum(p in scale for p in pitches) / len(pitches) if pitches else 1.0


def read_key(gen: Generated, meter: Meter) -> Key | None:
    """The key row 0's melody, bass and chords read as, by the key finder the tags use."""
    found = find_key(segment_chroma(gen.melody[:1].numpy(), gen.bass[:1].numpy(), gen.chords[:1].numpy(),
                                    meter.steps_per_bar)[0])
    return found.key if found else None


def in_asked_key(gen: Generated, key: Key, meter: Meter) -> Generated:
    """Row 0 moved (by at most a tritone) so that the scale it reads as is `key`'s: its tonic too when it
    reads in `key`'s mode, else the relative key (C major written for A minor stays put). The models'
    key conditioning is weak (docs/models.md, "Keys"); what they write is kept, only its pitch level moves."""
    found = read_key(gen, meter)
    if found is None:
        return gen
    shift = found.shift_to(key)
    return gen.transposed(shift) if shift else gen
