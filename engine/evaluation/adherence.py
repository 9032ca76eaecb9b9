"""Style adherence: do compositions sound like the style asked for?

Two kinds of evidence per style, over N seeded compositions:
- the style tagger's verdict on what the model wrote (texture views, before arrangement rules);
- independent checks that use no classifier, on the finished arrangement as rendered to MIDI:
  jazz and blues swing (measured from performed onsets) with seventh chords (counted as the model
  wrote them: the arrangement plays a blues's major triads as sevenths), rock and pop a backbeat
  on 2 and 4, classical no drum kit, a waltz request in 3/4, lofi laid-back tempo, folk diatonic;
and for every request, whether the finished piece reads (by the key finder the tags use) as the key it
was composed in. Besides one request per style (and "waltz"), requests naming a key, minor ones most.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..arrange import arrange
from ..candidates import ends_on_tonic
from ..compose import Composer
from ..data.encoding import chord_of_token
from ..mir.features import extract_features, swing_ratio_from_midi
from ..mir.key import reads_as
from ..music.midi import to_pretty_midi
from ..music.score import Role, Score
from ..requests import parse_request
from ..styles import STYLES

SEVENTH_QUALITIES = ("7", "maj7", "m7", "m7b5")
SNARES = frozenset({37, 38, 39, 40})


@dataclass
class Piece:
    """One composition and what the checks read off it."""

    score: Score
    sevenths: float
    """Share of the chords the model wrote (before arrangement) that are seventh chords."""
    label: str | None
    swing_ratio: float | None
    features: dict[str, float]
    latent: np.ndarray
    ends_home: bool
    """Whether its last chord is the key's tonic (`candidates.ends_on_tonic`)."""


def seventh_share(chords: np.ndarray) -> float:
    """Share of chord tokens (none left out) that are seventh chords."""
    written = [found[1] for tok in chords.reshape(-1).tolist() if (found := chord_of_token(int(tok))) is not None]
    return float(np.mean([q in SEVENTH_QUALITIES for q in written])) if written else 0.0


def _diatonic_share(score: Score) -> float:
    """Share of melody notes inside the score's key."""
    melody = score.track(Role.MELODY)
    if not melody or not melody.notes or score.key is None:
        return 0.0
    scale = set(score.key.scale)
    return float(np.mean([n.pitch % 12 in scale for n in melody.notes]))


def _backbeat_bars(score: Score) -> float:
    """Share of 4/4 bars whose snare plays on both beat 2 and beat 4 (ghost notes elsewhere allowed)."""
    drums = score.track(Role.DRUMS)
    if not drums or str(score.meter) != "4/4":
        return 0.0
    hits = {n.start for n in drums.notes if n.pitch in SNARES}
    return float(np.mean([{b * 16 + 4, b * 16 + 12} <= hits for b in range(score.bars)]))


Check = tuple[str, Callable[[Piece], bool]]
CHECKS: dict[str, tuple[Check, ...]] = {
    "jazz": (("swing ratio ≥ 1.4", lambda p: (p.swing_ratio or 1.0) >= 1.4),
             ("≥ 40% seventh chords", lambda p: p.sevenths >= 0.4)),
    "blues": (("swing ratio ≥ 1.4", lambda p: (p.swing_ratio or 1.0) >= 1.4),
              ("≥ 40% seventh chords", lambda p: p.sevenths >= 0.4)),
    "rock": (("snare on 2 and 4 in ≥ half the bars", lambda p: _backbeat_bars(p.score) >= 0.5),),
    "pop": (("snare on 2 and 4 in ≥ half the bars", lambda p: _backbeat_bars(p.score) >= 0.5),),
    "classical": (("no drum kit", lambda p: p.score.track(Role.DRUMS) is None),),
    "folk": (("≥ 85% of melody notes diatonic", lambda p: _diatonic_share(p.score) >= 0.85),),
    "lofi": (("tempo 60–100", lambda p: 60 <= p.score.tempo <= 100),
             ("swing ratio ≥ 1.15", lambda p: (p.swing_ratio or 1.0) >= 1.15)),
    "waltz": (("3/4 meter", lambda p: str(p.score.meter) == "3/4"),),
}
KEY_REQUESTS = ("lofi in D minor", "folk in E minor", "rock in A minor", "pop in F# minor", "classical in C minor",
                "jazz in Eb")
"""Requests naming a key (the style requests get one of their style's usual major keys)."""


def compose_piece(composer: Composer, text: str, seed: int) -> Piece:
    """Compose (model + arrangement, no audio) and read off what the checks need."""
    gen, arrangement, verdict = composer.generate(parse_request(text, seed=seed), seed)
    score = arrange(gen, arrangement)
    pm = to_pretty_midi(score)
    pitched = to_pretty_midi(Score(score.tempo, score.meter, score.bars, score.key,
                                   [t for t in score.tracks if not t.is_drum], swing=score.swing))
    swing = swing_ratio_from_midi(pitched) or swing_ratio_from_midi(pm)
    return Piece(score, seventh_share(gen.chords[0].numpy()), verdict.label if verdict else None, swing,
                 extract_features(score, swing), gen.latent[0].numpy(),
                 arrangement.key is not None and ends_on_tonic(gen, arrangement.key))


def adherence(composer: Composer, n: int, styles: tuple[str, ...] | None = None, bars: int = 8,
              model: str | None = None) -> dict[str, Any]:
    """Per style: share tagged as that style, each independent check's pass rate, median swing ratio, share
    ending on the tonic chord; with `model`, every request asks for that model (else each style's default)."""
    report: dict[str, Any] = {}
    for name in [*(s.name for s in STYLES), "waltz", *KEY_REQUESTS]:
        target = parse_request(name).style  # "waltz" alone is a pop request in 3/4
        if styles and name not in styles and (name not in KEY_REQUESTS or target not in styles):
            continue
        asked = f"{name} {bars} bars" + (f" {model}" if model else "")
        pieces = [compose_piece(composer, asked, seed) for seed in range(n)]
        labelled = [p.label for p in pieces if p.label is not None]
        swings = [p.swing_ratio for p in pieces if p.swing_ratio is not None]
        report[name] = {
            "n": n,
            "tagged_as_requested": round(float(np.mean([lbl == target for lbl in labelled])), 3) if labelled else None,
            "reads_in_key": round(float(np.mean([p.score.key is not None and reads_as(p.score, p.score.key)
                                                 for p in pieces])), 3),
            "checks": {label: round(float(np.mean([check(p) for p in pieces])), 3)
                       for label, check in CHECKS.get(name, CHECKS[target])},
            "median_swing_ratio": round(statistics.median(swings), 2) if swings else None,
            "ends_on_tonic": round(float(np.mean([p.ends_home for p in pieces])), 3),
        }
    return report
