"""`parse_request`: free text plus explicit fields -> a complete, normalised `Request` (SPEC §1).

Explicit keyword fields replace whatever the text said about that field; string fields are read with
the text's grammar ("lo-fi", "Bb minor", "waltz", "piano and drums" all work as field values).

Defaults and how the mood steers them:
- style: the text's, else `default_style` (the user's preferred one), else pop. A style alias that
  also means something else ("romantic", "chill", "ballad", "jig") sets the style only when no other
  style is named, so "romantic jazz" is jazz with a romantic mood.
- key: None (the model chooses) unless the request names a tonic, a mode, or a mood with a mode
  (sad, dark, melancholy -> minor; happy -> major). A mode without a tonic gets the style's usual tonic
  for it (`vocabulary.DEFAULT_TONICS`), so "sad pop" is A minor and "sad jazz" D minor, always; a tonic
  without a mode takes the mood's mode, else major.
- tempo: a number ("90 bpm") wins; tempo words place the tempo inside the style's range (slow =
  halfway from the typical tempo to the slowest, very slow = the slowest, fast/very fast likewise);
  without either, the mood nudges it the same way (sad, calm -> slower; energetic -> faster). A number
  and a tempo word must agree with each other relative to the style's typical tempo ("fast 60 bpm" is
  an error for pop, whose typical tempo is 110).
- meter: the text's ("3/4", "waltz", "jig") else the style's; bars 8; instruments: see `ensemble`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..music.score import Key, Meter
from ..styles import Style, get_style
from .ensemble import resolve_ensemble
from .errors import RequestError
from .lexicon import ACCEPTED, Kind, normalize
from .request import Request, check_meter, check_number
from .scanner import Claim, Draft, scan
from .vocabulary import DEFAULT_TONICS, MOOD_MODES, MOOD_PACE

DEFAULT_STYLE = "pop"
DEFAULT_BARS = 8
_FIELD_KINDS = {"style": Kind.STYLE, "default_style": Kind.STYLE, "key": Kind.MODE, "meter": Kind.METER,
                "mood": Kind.MOOD, "instruments": Kind.INSTRUMENT, "model": Kind.MODEL}


def parse_request(
    text: str,
    *,
    style: str | None = None,
    bars: int | None = None,
    key: str | Key | None = None,
    tempo: int | None = None,
    meter: str | Meter | None = None,
    mood: str | None = None,
    instruments: str | Sequence[str] | None = None,
    model: str | None = None,
    seed: int | None = None,
    default_style: str | None = None,
) -> Request:
    """The request `text` asks for, with explicit fields winning; RequestError if anything is wrong."""
    draft = scan(text)
    if style is not None:
        draft.style = _style_field("style", style)
    if bars is not None:
        draft.bars = Claim(check_number("bars", bars, f"bars={bars}"), f"bars={bars}")
    if key is not None:
        draft.tonic, draft.mode = _key_claims(key)
    if tempo is not None:
        draft.tempo = Claim(check_number("tempo", tempo, f"tempo={tempo}"), f"tempo={tempo}")
        draft.pace = None  # the explicit number wins over tempo words in the text
    if meter is not None:
        draft.meter = _meter_claim(meter)
    if mood is not None:
        draft.mood = _read_field("mood", mood, {"mood", "weak_style"}).mood
    if instruments is not None:
        listed = _read_field("instruments", instruments if isinstance(instruments, str) else
                             ", ".join(instruments), {"instruments"})
        draft.mentions, draft.only = listed.mentions, listed.only
    if model is not None:
        draft.model = _read_field("model", model, {"model"}).model
    if seed is not None:
        draft.seed = Claim(check_number("seed", seed, f"seed={seed}"), f"seed={seed}")
    return _resolve(text, draft, default_style)


def _read_field(name: str, value: str, allowed: set[str]) -> Draft:
    """An explicit field read with the text grammar; it must say something, and only about itself."""
    try:
        draft = scan(value, ACCEPTED[_FIELD_KINDS[name]])
    except RequestError as error:
        raise RequestError(f"{name}={value!r}: {error}") from None
    if not draft.named() or not draft.named() <= allowed:
        raise RequestError(f"{name}={value!r} is not understood as {name}. {ACCEPTED[_FIELD_KINDS[name]]}")
    return draft


def _style_field(name: str, value: str) -> Claim[str]:
    """A style named by one phrase; "romantic" is classical here, whatever else it may mean."""
    claim = _read_field(name, value, {"style", "weak_style", "mood", "pace", "meter"}).style_claim()
    if claim is None or claim.words != normalize(value).strip():
        raise RequestError(f"{name}={value!r} is not a style. {ACCEPTED[Kind.STYLE]}")
    return claim


def _key_claims(key: str | Key) -> tuple[Claim[int] | None, Claim[str] | None]:
    if isinstance(key, Key):
        return Claim(key.tonic, str(key)), Claim(key.mode, str(key))
    draft = _read_field("key", key, {"tonic", "mode"})
    return draft.tonic, draft.mode


def _meter_claim(meter: str | Meter) -> Claim[Meter] | None:
    if isinstance(meter, Meter):
        return Claim(check_meter(meter, str(meter)), str(meter))
    return _read_field("meter", meter, {"meter"}).meter


def _resolve(text: str, draft: Draft, default_style: str | None) -> Request:
    style = get_style(_style_name(draft, default_style))
    mood = draft.mood.value if draft.mood else None
    return Request(
        text=text,
        style=style.name,
        bars=draft.bars.value if draft.bars else DEFAULT_BARS,
        key=_key(draft, style, mood),
        tempo=_tempo(draft, style, mood),
        meter=draft.meter.value if draft.meter else style.meter,
        mood=mood,
        instruments=resolve_ensemble(draft.mentions, style, only=draft.only),
        model=draft.model.value if draft.model else None,
        seed=draft.seed.value if draft.seed else None,
    )


def _style_name(draft: Draft, default_style: str | None) -> str:
    claim = draft.style_claim()
    if claim is None and default_style is not None:
        claim = _style_field("default_style", default_style)
    return claim.value if claim else DEFAULT_STYLE


def _key(draft: Draft, style: Style, mood: str | None) -> Key | None:
    mode = draft.mode.value if draft.mode else MOOD_MODES.get(mood or "")
    if draft.tonic is None and mode is None:
        return None
    mode = mode or "major"
    if draft.tonic is not None:
        return Key(draft.tonic.value, mode)
    major, minor = DEFAULT_TONICS[style.name]
    return Key(minor if Key(0, mode).is_minor else major, mode)


def _tempo(draft: Draft, style: Style, mood: str | None) -> int:
    if draft.tempo is not None:
        if draft.pace is not None:
            _check_pace(draft.pace, draft.tempo, style)
        return draft.tempo.value
    level = draft.pace.value if draft.pace else MOOD_PACE.get(mood or "", 0)
    return _tempo_at(style, level)


def _tempo_at(style: Style, level: float) -> int:
    """The tempo of a tempo-word level: 0 = typical, ±1 halfway to the range's edge, ±2 the edge."""
    edge = style.tempo_range[1] if level > 0 else style.tempo_range[0]
    return round(style.tempo + abs(level) / 2 * (edge - style.tempo))


def _check_pace(pace: Claim[float], tempo: Claim[int], style: Style) -> None:
    """A tempo word and a number must agree: slow at most, fast at least the style's typical tempo."""
    if pace.value < 0 and tempo.value > style.tempo:
        bound = f"at most {style.tempo} bpm"
    elif pace.value > 0 and tempo.value < style.tempo:
        bound = f"at least {style.tempo} bpm"
    elif pace.value == 0 and not _tempo_at(style, -1) <= tempo.value <= _tempo_at(style, 1):
        bound = f"{_tempo_at(style, -1)}–{_tempo_at(style, 1)} bpm"
    else:
        return
    raise RequestError(f"'{pace.words}' and '{tempo.words}' contradict: '{pace.words}' {style.name} is "
                       f"{bound} (its typical tempo is {style.tempo})")
