"""The styles Cadenza composes in: names, aliases, typical tempo, meter, feel and ensemble."""

from __future__ import annotations

from dataclasses import dataclass, field

from .music.score import Meter, Role


@dataclass(frozen=True)
class Style:
    """A style's defaults; the model is conditioned on `index`."""

    name: str
    index: int
    aliases: tuple[str, ...]
    tempo: int
    tempo_range: tuple[int, int]
    meter: Meter
    swing: float
    ensemble: dict[Role, int] = field(default_factory=dict)
    """General MIDI program per role; a role absent here is not played by default."""
    description: str = ""


def _ensemble(melody: int, harmony: int, bass: int, drums: bool) -> dict[Role, int]:
    parts = {Role.MELODY: melody, Role.HARMONY: harmony, Role.BASS: bass}
    if drums:
        parts[Role.DRUMS] = 0
    return parts


STYLES: tuple[Style, ...] = (
    Style("pop", 0, ("流行", "pop music", "ballad", "k-pop", "c-pop", "mandopop", "r&b", "soul", "funk"),
          110, (80, 140), Meter(4, 4), 0.0, _ensemble(73, 0, 33, True),
          "song-form melodies over diatonic progressions, straight 8ths, backbeat"),
    Style("rock", 1, ("摇滚", "rock and roll", "rock'n'roll", "punk", "metal", "hard rock", "grunge"),
          120, (90, 180), Meter(4, 4), 0.0, _ensemble(29, 30, 34, True),
          "guitar-driven, power chords, backbeat on 2 and 4"),
    Style("jazz", 2, ("爵士", "爵士乐", "swing", "bebop", "bop", "bossa", "bossa nova", "big band",
                      "dixieland", "cool jazz"),
          132, (60, 240), Meter(4, 4), 0.6, _ensemble(66, 0, 32, True),
          "swung 8ths, seventh chords, walking bass, ride cymbal"),
    Style("blues", 3, ("蓝调", "布鲁斯", "shuffle", "rhythm and blues", "delta blues", "12-bar blues"),
          92, (60, 140), Meter(4, 4), 0.6, _ensemble(27, 0, 33, True),
          "dominant-seventh harmony, shuffle feel, blue notes"),
    Style("folk", 4, ("民谣", "民歌", "celtic", "irish", "scottish", "country", "bluegrass", "jig", "reel",
                      "hornpipe", "traditional"),
          112, (70, 180), Meter(4, 4), 0.0, _ensemble(110, 25, 32, False),
          "singable diatonic tunes, simple triads, fiddle and guitar"),
    Style("classical", 5, ("古典", "古典音乐", "baroque", "bach", "chorale", "romantic", "orchestral",
                           "classic", "mozart", "ragtime"),
          88, (50, 160), Meter(4, 4), 0.0, _ensemble(40, 48, 42, False),
          "voice-leading, functional harmony, strings, no drum kit"),
    Style("lofi", 6, ("低保真", "lo-fi", "lo fi", "chill", "chillhop", "lofi hip hop", "hip hop", "hiphop",
                      "study beats"),
          82, (60, 100), Meter(4, 4), 0.25, _ensemble(4, 4, 33, True),
          "laid-back hip-hop drums, jazzy seventh chords, electric piano"),
)

STYLE_BY_NAME: dict[str, Style] = {s.name: s for s in STYLES}


def get_style(name: str) -> Style:
    """The style with this canonical name (KeyError if none)."""
    return STYLE_BY_NAME[name]
