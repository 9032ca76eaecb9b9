"""Reads request text into a `Draft`: what each phrase claims, with the words that claimed it.

At each token the scanner tries, in order: a meter ("3/4"), a number with its unit ("16 bars", "90bpm",
"十六小节"), a keyword with its number ("tempo 90", "seed 42", "速度90"), a lexicon phrase of several
words ("lofi hip hop", "electric piano"), a key ("D minor", "in C", "Bb", "Am", "降B小调") and a
one-word lexicon entry. A bare note letter is a key only after "in"/"key (of)", before a mode word, or
when written as a capital other than "A" — so "a sad song in D minor" is in D minor, not A. Two phrases
claiming different values for one field are a contradiction; words nothing matches are collected and
reported together, each with the closest known word when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Generic, TypeVar

from ..music.score import Meter
from .ensemble import Mention
from .errors import RequestError
from .lexicon import (
    ACCEPTED,
    BAR_UNITS,
    GRAMMAR,
    KEY_MARKERS,
    LEXICON,
    MODES,
    NUMBER_CONNECTORS,
    NUMBER_KEYWORDS,
    TEMPO_UNITS,
    Kind,
    Meaning,
    TokenKind,
    normalize,
    read_number,
    suggest,
    tokenize,
)
from .request import check_meter, check_number
from .vocabulary import ACCIDENTALS, NOTE_LETTERS, PACE_WORDS

T = TypeVar("T")
_NOTE = re.compile(r"([a-g])([#♯♭b]?)(m?)")
_CHINESE_ACCIDENTALS = ("升", "降")


@dataclass(frozen=True)
class Claim(Generic[T]):
    """A value the request asks for and the words that asked for it."""

    value: T
    words: str


def merge(old: Claim[T] | None, new: Claim[T], what: str) -> Claim[T]:
    """`new` unless an earlier claim asked for something else, which is a contradiction."""
    if old is not None and old.value != new.value:
        raise RequestError(f"'{old.words}' and '{new.words}' ask for two different {what}: pick one")
    return old or new


@dataclass
class Draft:
    """Everything a text asked for; None where it said nothing."""

    style: Claim[str] | None = None
    weak_style: Claim[str] | None = None
    bars: Claim[int] | None = None
    tonic: Claim[int] | None = None
    mode: Claim[str] | None = None
    tempo: Claim[int] | None = None
    pace: Claim[float] | None = None
    meter: Claim[Meter] | None = None
    mood: Claim[str] | None = None
    model: Claim[str] | None = None
    seed: Claim[int] | None = None
    mentions: list[Mention] = field(default_factory=list)
    only: bool = False

    def style_claim(self) -> Claim[str] | None:
        """The named style, else the style of a word that may also mean a style ("romantic")."""
        return self.style or self.weak_style

    def named(self) -> set[str]:
        """The fields the text said something about ("instruments" for mentions and "only")."""
        found = {f.name for f in fields(self) if f.name not in ("mentions", "only") and getattr(self, f.name)}
        return found | ({"instruments"} if self.mentions or self.only else set())


def scan(text: str, accepted: str = GRAMMAR) -> Draft:
    """The claims of `text`; RequestError for unknown words (explained by `accepted` when no known word
    is close), contradictions and bad numbers."""
    return _Scanner(text, accepted).run()


class _Scanner:
    def __init__(self, text: str, accepted: str) -> None:
        self.text = normalize(text)
        self.accepted = accepted
        self.tokens = tokenize(self.text)
        self.pos = 0
        self.draft = Draft()
        self.unknown: list[tuple[int, int]] = []
        """Unknown words as (first, last) token indices; adjacent unknown Chinese characters form one."""
        self.action = "play"
        self.pending_remove: str | None = None
        """The words of a "no"/"without" still waiting for its instrument."""

    def run(self) -> Draft:
        while self.pos < len(self.tokens):
            self.pos += self.step()
        self.end_clause()
        if self.unknown:
            words = [self.words(first, last - first + 1) for first, last in self.unknown]
            raise RequestError(_unknown_message(words, self.accepted))
        return self.draft

    def words(self, pos: int, length: int) -> str:
        """The text of `length` tokens from `pos`, as typed."""
        return self.text[self.tokens[pos].start:self.tokens[pos + length - 1].end]

    def step(self) -> int:
        """Reads what starts at `self.pos`; returns how many tokens it used."""
        if self.tokens[self.pos].kind is TokenKind.STOP:
            self.end_clause()
            return 1
        used = self.meter() or self.number_with_unit() or self.keyword_with_number()
        if not used:
            entry = LEXICON.match(self.tokens, self.pos)
            if entry is not None and entry[1] > 1:
                return self.apply(*entry)
            used = self.key()
            if not used:
                return self.apply(*entry) if entry is not None else self.reject()
        self.end_clause()
        return used

    def end_clause(self) -> None:
        """Instruments after this are played, not removed; a "no" without its instrument is an error."""
        if self.pending_remove is not None:
            raise RequestError(f"'{self.pending_remove}' must be followed by an instrument, e.g. 'no drums'")
        self.action = "play"

    # --- matchers: each returns the number of tokens it used, 0 if it does not apply ------------------
    def meter(self) -> int:
        token = self.tokens[self.pos]
        if token.kind is not TokenKind.METER:
            return 0
        words = self.words(self.pos, 1)
        meter = check_meter(Meter.parse("".join(token.norm.split())), words)
        self.draft.meter = merge(self.draft.meter, Claim(meter, words), "meters")
        return 1

    def number_with_unit(self) -> int:
        number = read_number(self.tokens, self.pos)
        if number is None:
            return 0
        value, used = number
        for unit, name in ((BAR_UNITS, "bars"), (TEMPO_UNITS, "tempo")):
            found = unit.match(self.tokens, self.pos + used)
            if found is not None:
                length = used + found[1]
                self.claim_number(name, value, self.words(self.pos, length))
                return length
        return 0

    def keyword_with_number(self) -> int:
        keyword = NUMBER_KEYWORDS.match(self.tokens, self.pos)
        if keyword is None:
            return 0
        name, used = keyword
        connector = NUMBER_CONNECTORS.match(self.tokens, self.pos + used)
        used += connector[1] if connector is not None else 0
        number = read_number(self.tokens, self.pos + used)
        if number is None:
            return 0
        used += number[1]
        if BAR_UNITS.match(self.tokens, self.pos + used) and name != "bars":
            return 0  # "tempo 16 bars": the number is the bars'
        unit = TEMPO_UNITS.match(self.tokens, self.pos + used) if name == "tempo" else None
        used += unit[1] if unit is not None else 0
        self.claim_number(name, number[0], self.words(self.pos, used))
        return used

    def key(self) -> int:
        start = self.pos + (self.norm(self.pos) in _CHINESE_ACCIDENTALS)
        note = _NOTE.fullmatch(self.norm(start))
        if note is None:
            self.check_not_a_key(start)
            return 0
        letter, accidental, minor = note.groups()
        capital = self.text[self.tokens[start].start].isupper()
        if minor and not capital:
            return 0  # "am" is English; "Am" is A minor
        shift = sum(ACCIDENTALS[t.norm] for t in self.tokens[self.pos:start]) + ACCIDENTALS.get(accidental, 0)
        end = start + 1
        if start == self.pos and not accidental and self.norm(end) in ("sharp", "flat"):
            shift, end = ACCIDENTALS[self.norm(end)], end + 1
        marked = end > start + 1 or start > self.pos or bool(accidental)
        mode = ("minor", 0) if minor else MODES.match(self.tokens, end)
        if mode is None and self.norm(end) == "m":
            mode = ("minor", 1)
        if not (mode or marked or (capital and letter != "a") or self.after_key_marker(letter, start, end)):
            return 0
        end += mode[1] if mode is not None else 0
        self.claim_key((NOTE_LETTERS[letter] + shift) % 12, mode[0] if mode is not None else None, end)
        return end - self.pos

    def norm(self, pos: int) -> str:
        """The normalised token at `pos`, or "" past the end."""
        return self.tokens[pos].norm if pos < len(self.tokens) else ""

    def after_key_marker(self, letter: str, start: int, end: int) -> bool:
        """Whether the note follows "in"/"key of"; "in a" is a key only at the clause's end."""
        if not KEY_MARKERS.ends_at(self.tokens, start):
            return False
        return letter != "a" or end == len(self.tokens) or self.tokens[end].kind is TokenKind.STOP

    def check_not_a_key(self, pos: int) -> None:
        """A single letter other than A–G before a mode word ("H major") is a wrong key."""
        letter = self.norm(pos)
        if len(letter) != 1 or not letter.isascii() or not letter.isalpha():
            return
        mode = MODES.match(self.tokens, pos + 1)
        if mode is not None and mode[0] is not None:
            words = self.words(pos, 1 + mode[1])
            hint = f"did you mean 'B {mode[0]}'? " if letter == "h" else ""
            raise RequestError(f"unknown key '{words}': {hint}{ACCEPTED[Kind.MODE]}")

    def apply(self, meanings: tuple[Meaning, ...], length: int) -> int:
        """Records what a lexicon phrase of `length` tokens means."""
        words = self.words(self.pos, length)
        for kind, value in meanings:
            self.apply_one(kind, value, words)
        if not {kind for kind, _ in meanings} <= {Kind.INSTRUMENT, Kind.MARKER, Kind.FILLER}:
            self.end_clause()
        return length

    def apply_one(self, kind: Kind, value: str, words: str) -> None:
        draft = self.draft
        if kind is Kind.STYLE:
            draft.style = merge(draft.style, Claim(value, words), "styles")
        elif kind is Kind.WEAK_STYLE:
            draft.weak_style = Claim(value, words)
        elif kind is Kind.MOOD:
            draft.mood = merge(draft.mood, Claim(value, words), "moods")
        elif kind is Kind.PACE:
            draft.pace = merge(draft.pace, Claim(PACE_WORDS[value], words), "tempos")
        elif kind is Kind.METER:
            draft.meter = merge(draft.meter, Claim(Meter.parse(value), words), "meters")
        elif kind is Kind.MODE:
            draft.mode = merge(draft.mode, Claim(value, words), "modes")
        elif kind is Kind.MODEL:
            draft.model = merge(draft.model, Claim(value, words), "models")
        elif kind is Kind.INSTRUMENT:
            draft.mentions.append(Mention(value, words, self.action))
            self.pending_remove = None
        elif kind is Kind.MARKER:
            self.marker(value, words)
        elif kind is Kind.NEEDS_NUMBER:
            raise RequestError(f"'{words}' needs a number, e.g. '16 bars', '90 bpm' or 'seed 42'")

    def marker(self, value: str, words: str) -> None:
        if value == "only":
            self.draft.only = True
            return
        self.end_clause()
        self.action = value
        self.pending_remove = words if value == "remove" else None

    def reject(self) -> int:
        """A bare number is an error at once; other unknown words are collected."""
        number = read_number(self.tokens, self.pos)
        if number is not None:
            words = self.words(self.pos, number[1])
            raise RequestError(f"'{words}' needs a unit: say '{words} bars', '{words} bpm' or 'seed {words}'")
        first, last = self.unknown[-1] if self.unknown else (-2, -2)
        if last == self.pos - 1 and self.tokens[last].kind is self.tokens[self.pos].kind is TokenKind.CJK:
            self.unknown[-1] = (first, self.pos)
        else:
            self.unknown.append((self.pos, self.pos))
        return 1

    # --- claims ---------------------------------------------------------------------------------------
    def claim_number(self, name: str, value: int, words: str) -> None:
        claim = Claim(check_number(name, value, words), words)
        if name == "bars":
            self.draft.bars = merge(self.draft.bars, claim, "bar counts")
        elif name == "tempo":
            self.draft.tempo = merge(self.draft.tempo, claim, "tempos")
        else:
            self.draft.seed = merge(self.draft.seed, claim, "seeds")

    def claim_key(self, tonic: int, mode: str | None, end: int) -> None:
        words = self.words(self.pos, end - self.pos)
        self.draft.tonic = merge(self.draft.tonic, Claim(tonic, words), "keys")
        if mode is not None:
            self.draft.mode = merge(self.draft.mode, Claim(mode, words), "modes")


def _unknown_message(words: list[str], accepted: str) -> str:
    hints = [suggest(word.lower()) for word in words]
    if len(words) == 1:
        hint = hints[0]
        if hint is None:
            return f"unknown word '{words[0]}'. {accepted}"
        return f"unknown word '{words[0]}': did you mean '{hint[0]}'? {hint[1]}"
    listed = ", ".join(f"'{word}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
                       for word, hint in zip(words, hints, strict=True))
    return f"unknown words {listed}. {next((h[1] for h in hints if h is not None), accepted)}"
