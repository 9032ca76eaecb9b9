"""How request text is cut into tokens and matched against the vocabulary's phrases.

English words are tokens; Chinese is cut into single characters, so "十六小节" and "钢琴" are phrases of
characters matched like "lofi hip hop" is, longest phrase first. Hyphens, apostrophes, quotes, emoji and
other symbols only separate ("lo-fi" == "lo fi"); "&", "+" and "、" read as "and"; commas and full
stops end a clause. Text is NFKC-normalised first, so full-width digits and punctuation work too.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from ..styles import STYLES
from . import vocabulary as vocab

V = TypeVar("V")
Phrase = tuple[str, ...]


class TokenKind(StrEnum):
    WORD = "word"
    NUMBER = "number"
    METER = "meter"
    CJK = "cjk"
    STOP = "stop"
    OTHER = "other"


@dataclass(frozen=True)
class Token:
    """A token; `norm` is its lower-case form ("&" reads "and"), `start`/`end` its span in the text."""

    kind: TokenKind
    norm: str
    start: int
    end: int


_TOKEN = re.compile(
    r"(?P<meter>\d+\s*/\s*\d+)"
    r"|(?P<number>(?:(?<![\w.])-)?\d+)"
    r"|(?P<word>[a-z\u00c0-\u024f]+[#♯♭]?)"
    r"|(?P<cjk>[\u3400-\u9fff\uf900-\ufaff])"
    r"|(?P<stop>[,;.!?。；！？\n])"
    r"|(?P<join>[&+、])"
    r"|(?P<other>\w+)"
    r"|(?P<skip>.)",
    re.IGNORECASE | re.DOTALL,
)
"""Words of other scripts are tokens (and unknown); other symbols, emoji included, only separate."""


def normalize(text: str) -> str:
    """Full-width forms folded to ASCII ("１６" -> "16", "，" -> ",")."""
    return unicodedata.normalize("NFKC", text)


def tokenize(text: str) -> list[Token]:
    """The tokens of already `normalize`d text."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "skip"
        if kind == "join":
            tokens.append(Token(TokenKind.WORD, "and", match.start(), match.end()))
        elif kind != "skip":
            tokens.append(Token(TokenKind(kind), match.group().lower(), match.start(), match.end()))
    return tokens


def phrase(text: str) -> Phrase:
    """The token norms of a vocabulary phrase."""
    return tuple(t.norm for t in tokenize(normalize(text)) if t.kind is not TokenKind.STOP)


class PhraseTable(dict[Phrase, V]):
    """Values keyed by phrase, looked up longest phrase first."""

    def __init__(self, entries: Iterable[tuple[str, V]]) -> None:
        """Later entries win over earlier ones with the same phrase."""
        super().__init__((phrase(text), value) for text, value in entries)
        self.longest_phrase = max(map(len, self), default=0)

    def match(self, tokens: Sequence[Token], pos: int) -> tuple[V, int] | None:
        """The value of the longest phrase starting at `tokens[pos]`, and its length in tokens."""
        for length in range(min(self.longest_phrase, len(tokens) - pos), 0, -1):
            key = tuple(t.norm for t in tokens[pos:pos + length])
            if key in self:
                return self[key], length
        return None

    def ends_at(self, tokens: Sequence[Token], pos: int) -> bool:
        """Whether one of the phrases ends just before `tokens[pos]`."""
        return any(tuple(t.norm for t in tokens[max(0, pos - len(p)):pos]) == p for p in self)


def read_number(tokens: Sequence[Token], pos: int) -> tuple[int, int] | None:
    """The number written at `tokens[pos]` (digits, English or Chinese words) and its length in tokens."""
    if pos >= len(tokens):
        return None
    token = tokens[pos]
    if token.kind is TokenKind.NUMBER:
        return int(token.norm), 1
    if token.norm in vocab.ENGLISH_UNITS:
        return vocab.ENGLISH_UNITS[token.norm], 1
    if token.norm in vocab.ENGLISH_TENS:
        unit = tokens[pos + 1].norm if pos + 1 < len(tokens) else ""
        if 1 <= vocab.ENGLISH_UNITS.get(unit, 0) <= 9:
            return vocab.ENGLISH_TENS[token.norm] + vocab.ENGLISH_UNITS[unit], 2
        return vocab.ENGLISH_TENS[token.norm], 1
    return _read_chinese_number(tokens, pos)


def _read_chinese_number(tokens: Sequence[Token], pos: int) -> tuple[int, int] | None:
    total = current = length = 0
    for token in tokens[pos:]:
        if token.norm in vocab.CHINESE_DIGITS:
            current = vocab.CHINESE_DIGITS[token.norm]
        elif token.norm in vocab.CHINESE_MULTIPLIERS:
            total += (current or 1) * vocab.CHINESE_MULTIPLIERS[token.norm]
            current = 0
        else:
            break
        length += 1
    return (total + current, length) if length else None


# --- the lexicon ---------------------------------------------------------------------------------------
class Kind(StrEnum):
    """What a phrase of the lexicon tells."""

    STYLE = "style"
    WEAK_STYLE = "weak style"
    """A style alias that also means something else ("romantic", "ballad"): used only if no style is named."""
    MOOD = "mood"
    PACE = "tempo word"
    METER = "meter"
    MODE = "mode"
    MODEL = "model"
    INSTRUMENT = "instrument"
    MARKER = "marker"
    FILLER = "filler"
    NEEDS_NUMBER = "needs number"


Meaning = tuple[Kind, str]

INSTRUMENTS: dict[str, vocab.Instrument] = {
    " ".join(phrase(name)): instrument
    for name, instrument in [
        *((name, vocab.Instrument(program)) for program, name in enumerate(vocab.GM_PROGRAMS)),
        *((name, vocab.Instrument(program, whole_family=name in vocab.WHOLE_FAMILY_ALIASES))
          for name, program in vocab.INSTRUMENT_ALIASES.items()),
        *((name, vocab.Instrument(program, family=True)) for name, program in vocab.FAMILY_NAMES.items()),
        *((name, vocab.Instrument(section=parts)) for name, parts in vocab.SECTIONS.items()),
        *((name, vocab.Instrument(drums=True)) for name in vocab.DRUM_NAMES),
    ]
}
"""Every instrument phrase, keyed by its tokens joined with spaces."""


def _entries() -> Iterable[tuple[str, Meaning]]:
    for style in STYLES:
        for name in (style.name, *style.aliases):
            if not any(c.isdigit() for c in name):  # "12-bar blues" is read as 12 bars of blues
                yield name, (Kind.STYLE, style.name)
    yield from ((w, (Kind.STYLE, s)) for w, s in vocab.STYLE_EXTRAS.items())
    yield from ((w, (Kind.MOOD, m)) for w, m in vocab.MOODS.items())
    yield from ((w, (Kind.PACE, w)) for w in vocab.PACE_WORDS)
    yield from ((w, (Kind.METER, m)) for w, m in vocab.METER_WORDS.items())
    yield from ((w, (Kind.MODE, m)) for w, m in vocab.MODE_WORDS.items() if m is not None)
    yield from ((w, (Kind.MODEL, m)) for w, m in vocab.MODEL_WORDS.items())
    yield from ((w, (Kind.INSTRUMENT, w)) for w in INSTRUMENTS)
    yield from ((w, (Kind.MARKER, m)) for w, m in vocab.MARKERS.items())
    yield from ((w, (Kind.FILLER, "")) for w in vocab.FILLERS)
    yield from ((w, (Kind.NEEDS_NUMBER, w)) for w in vocab.NEEDS_NUMBER)


def _lexicon() -> PhraseTable[tuple[Meaning, ...]]:
    grouped: dict[str, list[Meaning]] = {}
    for text, meaning in _entries():
        grouped.setdefault(" ".join(phrase(text)), []).append(meaning)
    return PhraseTable((text, _settle(meanings)) for text, meanings in grouped.items())


def _settle(meanings: list[Meaning]) -> tuple[Meaning, ...]:
    """Filler only when nothing else; a style alias with another meaning becomes a weak style."""
    real = [m for m in dict.fromkeys(meanings) if m[0] is not Kind.FILLER] or meanings[:1]
    if len(real) > 1:
        real = [(Kind.WEAK_STYLE, v) if k is Kind.STYLE else (k, v) for k, v in real]
    return tuple(real)


LEXICON = _lexicon()
MODES = PhraseTable(vocab.MODE_WORDS.items())
KEY_MARKERS = PhraseTable((m, True) for m in vocab.KEY_MARKERS)
BAR_UNITS = PhraseTable((w, True) for w in vocab.BAR_UNITS)
TEMPO_UNITS = PhraseTable((w, True) for w in vocab.TEMPO_UNITS)
NUMBER_KEYWORDS = PhraseTable([
    *((w, "bars") for w in vocab.BAR_KEYWORDS),
    *((w, "tempo") for w in vocab.TEMPO_KEYWORDS),
    *((w, "seed") for w in vocab.SEED_KEYWORDS),
])
NUMBER_CONNECTORS = PhraseTable((w, True) for w in vocab.NUMBER_CONNECTORS)

# --- suggestions ---------------------------------------------------------------------------------------
ACCEPTED: dict[Kind, str] = {
    Kind.STYLE: "Styles: " + ", ".join(s.name for s in STYLES),
    Kind.MOOD: "Moods: " + ", ".join(dict.fromkeys(vocab.MOODS.values())),
    Kind.PACE: "Tempo: a number like '90 bpm' or slow, moderate, fast",
    Kind.METER: "Meters: 4/4, 3/4, 6/8, waltz",
    Kind.MODE: "Keys: a note A–G with # or b and a mode (major, minor, dorian, mixolydian, lydian, "
               "phrygian, locrian), e.g. 'Bb minor'",
    Kind.MODEL: "Models: vae, gan",
    Kind.INSTRUMENT: "Instruments: General MIDI names and families such as piano, guitar, bass, violin, "
                     "strings, sax, trumpet, flute, organ, synth, drums ('no drums' to leave one out)",
}
GRAMMAR = ("A request names a style (" + ", ".join(s.name for s in STYLES) + "), bars ('16 bars'), "
           "a key ('D minor'), tempo ('90 bpm', 'slow'), meter ('3/4'), a mood ('sad'), instruments "
           "('piano and drums'), a model ('vae', 'gan') and a seed ('seed 42')")
"""What to say when an unknown word resembles nothing."""


def _suggestions() -> dict[str, Kind]:
    """Known words worth suggesting, each with the category of the first phrase it appears in."""
    words: dict[str, Kind] = {}
    for p, meanings in LEXICON.items():
        kind = Kind.STYLE if meanings[0][0] is Kind.WEAK_STYLE else meanings[0][0]
        for word in p:
            if kind in ACCEPTED and len(word) >= 3 and word.isascii() and word.isalpha():
                words.setdefault(word, kind)
    return words


_SUGGESTIONS = _suggestions()


def suggest(word: str) -> tuple[str, str] | None:
    """The known word closest to `word`, and what is accepted in its category."""
    close = difflib.get_close_matches(word, _SUGGESTIONS, n=1, cutoff=0.75)
    if not close:
        return None
    return close[0], ACCEPTED[_SUGGESTIONS[close[0]]]
