"""The request grammar (SPEC §1): table-driven good and bad inputs, explicit fields, the JSON form."""

from __future__ import annotations

from typing import Any

import pytest

from engine.music.score import Key, Meter, Role
from engine.requests import Part, Request, RequestError, parse_request

PIANO_AND_DRUMS = {"melody": "Acoustic Grand Piano", "harmony": "Acoustic Grand Piano",
                   "bass": "Acoustic Grand Piano", "drums": "Drums"}
POP_BAND = {"melody": "Flute", "harmony": "Acoustic Grand Piano", "bass": "Electric Bass (finger)",
            "drums": "Drums"}
JAZZ_BAND = {"melody": "Tenor Sax", "harmony": "Acoustic Grand Piano", "bass": "Acoustic Bass",
             "drums": "Drums"}

# (text, explicit fields, expected subset of to_dict())
GOOD: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("", {}, {"style": "pop", "bars": 8, "key": None, "tempo": 110, "meter": "4/4", "mood": None,
              "instruments": POP_BAND, "model": None, "seed": None}),
    ("sad lofi in D minor, 90 bpm, 8 bars, piano and drums", {},
     {"style": "lofi", "key": "D minor", "tempo": 90, "bars": 8, "mood": "sad",
      "instruments": PIANO_AND_DRUMS}),
    ("爵士 16小节", {}, {"style": "jazz", "bars": 16, "instruments": JAZZ_BAND}),
    ("jazz 16 bars", {}, {"style": "jazz", "bars": 16, "tempo": 132}),
    ("waltz", {}, {"style": "pop", "meter": "3/4"}),
    ("jazz waltz", {}, {"style": "jazz", "meter": "3/4"}),
    ("圆舞曲", {}, {"meter": "3/4"}),
    ("jig", {}, {"style": "folk", "meter": "6/8"}),
    ("6/8 folk", {}, {"style": "folk", "meter": "6/8"}),
    ("16-bar rock", {}, {"style": "rock", "bars": 16}),
    ("sixteen bars", {}, {"bars": 16}),
    ("sixty-four bars", {}, {"bars": 64}),
    ("bars 16", {}, {"bars": 16}),
    ("十六小节", {}, {"bars": 16}),
    ("12-bar blues", {}, {"style": "blues", "bars": 12}),
    ("C", {}, {"key": "C major"}),
    ("in C", {}, {"key": "C major"}),
    ("Bb minor", {}, {"key": "Bb minor"}),
    ("F# major", {}, {"key": "F# major"}),
    ("D dorian", {}, {"key": "D dorian"}),
    ("c minor", {}, {"key": "C minor"}),
    ("Am", {}, {"key": "A minor"}),
    ("b flat minor", {}, {"key": "Bb minor"}),
    ("c小调", {}, {"key": "C minor"}),
    ("C大调", {}, {"key": "C major"}),
    ("降B小调", {}, {"key": "Bb minor"}),
    ("升F大调", {}, {"key": "F# major"}),
    ("a sad song in D minor", {}, {"key": "D minor", "mood": "sad"}),
    ("A jazz tune in E", {}, {"style": "jazz", "key": "E major"}),
    ("jazz in a", {}, {"key": "A major"}),
    ("a song in a waltz", {}, {"key": None, "meter": "3/4"}),
    ("90 bpm", {}, {"tempo": 90}),
    ("90bpm", {}, {"tempo": 90}),
    ("tempo 90", {}, {"tempo": 90}),
    ("at 90", {}, {"tempo": 90}),
    ("速度90", {}, {"tempo": 90}),
    ("slow", {}, {"tempo": 95}),  # halfway from pop's 110 to its slowest, 80
    ("fast jazz", {}, {"tempo": 186}),  # halfway from jazz's 132 to its fastest, 240
    ("moderate rock", {}, {"tempo": 120}),
    ("慢", {}, {"tempo": 95}),
    ("快", {}, {"tempo": 125}),
    ("slow, 90 bpm", {}, {"tempo": 90}),
    ("sad", {}, {"mood": "sad", "key": "A minor", "tempo": 95}),
    ("sad jazz", {}, {"key": "D minor", "tempo": 96}),
    ("sad in C", {}, {"key": "C minor"}),
    ("happy folk", {}, {"mood": "happy", "key": "D major"}),
    ("energetic rock", {}, {"mood": "energetic", "key": None, "tempo": 150}),
    ("calm", {}, {"mood": "calm", "key": None, "tempo": 95}),
    ("快乐", {}, {"mood": "happy"}),
    ("悲伤", {}, {"mood": "sad"}),
    ("平静", {}, {"mood": "calm"}),
    ("romantic jazz", {}, {"style": "jazz", "mood": "romantic"}),
    ("romantic", {}, {"style": "classical", "mood": "romantic"}),
    ("jazz ballad", {}, {"style": "jazz", "tempo": 96}),
    ("lofi hip hop", {}, {"style": "lofi"}),
    ("bossa nova", {}, {"style": "jazz"}),
    ("rock and roll", {}, {"style": "rock"}),
    ("lo-fi", {}, {"style": "lofi"}),
    ("摇滚", {}, {"style": "rock"}),
    ("classic rock", {}, {"style": "rock"}),
    ("piano and drums", {}, {"instruments": PIANO_AND_DRUMS}),
    ("钢琴和鼓", {}, {"instruments": PIANO_AND_DRUMS}),
    ("no drums", {}, {"instruments": {k: v for k, v in POP_BAND.items() if k != "drums"}}),
    ("jazz without drums", {}, {"instruments": {k: v for k, v in JAZZ_BAND.items() if k != "drums"}}),
    ("不要鼓的爵士", {}, {"instruments": {k: v for k, v in JAZZ_BAND.items() if k != "drums"}}),
    ("strings", {}, {"instruments": {"melody": "Violin", "harmony": "String Ensemble 1", "bass": "Cello"}}),
    ("弦乐", {}, {"instruments": {"melody": "Violin", "harmony": "String Ensemble 1", "bass": "Cello"}}),
    ("小提琴", {}, {"instruments": {"melody": "Violin"}}),
    ("吉他", {}, {"instruments": {r: "Acoustic Guitar (steel)" for r in ("melody", "harmony", "bass")}}),
    ("rock guitar and drums", {},
     {"instruments": {"melody": "Overdriven Guitar", "harmony": "Overdriven Guitar",
                      "bass": "Overdriven Guitar", "drums": "Drums"}}),
    ("sax, piano, bass and drums", {},
     {"instruments": {"melody": "Tenor Sax", "harmony": "Acoustic Grand Piano",
                      "bass": "Electric Bass (finger)", "drums": "Drums"}}),
    ("cello and piano", {},
     {"instruments": {"melody": "Cello", "harmony": "Acoustic Grand Piano", "bass": "Acoustic Grand Piano"}}),
    ("jazz with a trumpet", {}, {"instruments": {**JAZZ_BAND, "melody": "Trumpet"}}),
    ("rock with organ", {}, {"instruments": {"melody": "Overdriven Guitar", "harmony": "Drawbar Organ",
                                             "bass": "Electric Bass (pick)", "drums": "Drums"}}),
    ("lofi, no piano", {}, {"instruments": {"bass": "Electric Bass (finger)", "drums": "Drums"}}),
    ("electric piano", {}, {"instruments": {r: "Electric Piano 1" for r in ("melody", "harmony", "bass")}}),
    ("Acoustic Guitar (nylon)", {}, {"instruments": {r: "Acoustic Guitar (nylon)"
                                                     for r in ("melody", "harmony", "bass")}}),
    ("vae", {}, {"model": "vae"}),
    ("with the gan", {}, {"model": "gan", "instruments": POP_BAND}),
    ("seed 42", {}, {"seed": 42}),
    ("Please write me a calm, slow classical piece in G major for strings, 32 bars, seed 7", {},
     {"style": "classical", "mood": "calm", "tempo": 69, "key": "G major", "bars": 32, "seed": 7}),
    ("来一首悲伤的爵士乐，16小节，钢琴和鼓", {},
     {"style": "jazz", "mood": "sad", "bars": 16, "key": "D minor", "instruments": PIANO_AND_DRUMS}),
    ("I am feeling sad 🎷", {}, {"mood": "sad"}),
    # explicit fields win over the text
    ("jazz 16 bars", {"bars": 8}, {"style": "jazz", "bars": 8}),
    ("jazz", {"style": "lo-fi"}, {"style": "lofi"}),
    ("fast", {"tempo": 60}, {"tempo": 60}),
    ("waltz", {"meter": "4/4"}, {"meter": "4/4"}),
    ("", {"meter": Meter(6, 8)}, {"meter": "6/8"}),
    ("in D minor", {"key": "F# major"}, {"key": "F# major"}),
    ("sad", {"key": "C"}, {"key": "C minor"}),
    ("", {"key": Key(2, "dorian")}, {"key": "D dorian"}),
    ("piano and drums", {"instruments": ["strings", "no drums"]},
     {"instruments": {"melody": "Violin", "harmony": "String Ensemble 1", "bass": "Cello"}}),
    ("happy", {"mood": "sad"}, {"mood": "sad", "key": "A minor"}),
    ("vae", {"model": "GAN"}, {"model": "gan"}),
    ("seed 1", {"seed": 2}, {"seed": 2}),
    ("", {"default_style": "jazz"}, {"style": "jazz"}),
    ("rock", {"default_style": "jazz"}, {"style": "rock"}),
]

# (text, explicit fields, substrings the message must contain)
BAD: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("jaz", {}, ("unknown word 'jaz'", "did you mean 'jazz'?", "Styles: pop, rock, jazz")),
    ("pianno and drumz", {}, ("'pianno' (did you mean 'piano'?)", "Instruments:")),
    ("sadd song", {}, ("did you mean 'sad'?", "Moods:")),
    ("asdf qwerty", {}, ("unknown words 'asdf', 'qwerty'", "A request names a style")),
    ("哈哈 爵士", {}, ("unknown word '哈哈'",)),
    ("0 bars", {}, ("'0 bars'", "bars must be 1–64")),
    ("65 bars", {}, ("'65 bars'", "bars must be 1–64")),
    ("bars 0", {}, ("bars must be 1–64",)),
    ("300 bpm", {}, ("'300 bpm'", "tempo must be 40–240 bpm")),
    ("20 bpm", {}, ("'20 bpm'", "tempo must be 40–240 bpm")),
    ("seed -1", {}, ("seed must be 0–",)),
    ("jazz rock", {}, ("'jazz' and 'rock'", "two different styles")),
    ("爵士 摇滚", {}, ("two different styles",)),
    ("waltz in 4/4", {}, ("'waltz' and '4/4'", "two different meters")),
    ("16 bars, 8 bars", {}, ("'16 bars' and '8 bars'",)),
    ("D major, minor", {}, ("two different modes",)),
    ("happy sad", {}, ("two different moods",)),
    ("slow fast", {}, ("'slow' and 'fast'",)),
    ("fast 60 bpm", {}, ("'fast' and '60 bpm' contradict", "110")),
    ("gan vae", {}, ("two different models",)),
    ("H major", {}, ("unknown key 'H major'", "did you mean 'B major'?", "A–G")),
    ("5/3", {}, ("'5/3'", "unsupported meter")),
    ("jazz 16", {}, ("'16' needs a unit", "'16 bars'")),
    ("sixteen", {}, ("'sixteen' needs a unit",)),
    ("bars", {}, ("'bars' needs a number",)),
    ("bpm", {}, ("'bpm' needs a number",)),
    ("seed", {}, ("'seed' needs a number",)),
    ("no", {}, ("'no' must be followed by an instrument",)),
    ("piano, no piano", {}, ("'piano' is both asked for and excluded",)),
    ("violin, flute, trumpet", {}, ("too many instruments", "'trumpet'")),
    ("classical without strings", {}, ("leaves no instrument",)),
    ("", {"bars": 65}, ("'bars=65'", "1–64")),
    ("", {"tempo": 241}, ("'tempo=241'", "40–240")),
    ("", {"style": "jaz"}, ("style='jaz'", "did you mean 'jazz'?")),
    ("", {"style": "violin"}, ("style='violin'", "Styles:")),
    ("", {"style": "sad jazz"}, ("style='sad jazz'", "not a style")),
    ("", {"model": "diffusion"}, ("model='diffusion'", "unknown word 'diffusion'")),
    ("", {"key": "H"}, ("key='H'", "Keys:")),
    ("", {"instruments": "jazz"}, ("instruments='jazz'", "Instruments:")),
    ("", {"meter": "4/3"}, ("unsupported meter",)),
]


@pytest.mark.parametrize(("text", "fields", "expected"), GOOD, ids=[f"{t!r} {f}" for t, f, _ in GOOD])
def test_good_requests(text: str, fields: dict[str, Any], expected: dict[str, Any]) -> None:
    result = parse_request(text, **fields).to_dict()
    assert {k: result[k] for k in expected} == expected
    assert result["text"] == text


@pytest.mark.parametrize(("text", "fields", "fragments"), BAD, ids=[f"{t!r} {f}" for t, f, _ in BAD])
def test_bad_requests(text: str, fields: dict[str, Any], fragments: tuple[str, ...]) -> None:
    with pytest.raises(RequestError) as caught:
        parse_request(text, **fields)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_request_error_is_a_value_error() -> None:
    assert issubclass(RequestError, ValueError)


@pytest.mark.parametrize("text", [t for t, _, _ in GOOD])
def test_to_dict_from_dict_round_trip(text: str) -> None:
    request = parse_request(text)
    assert Request.from_dict(request.to_dict()) == request


def test_from_dict_rejects_what_is_not_a_request() -> None:
    data = parse_request("jazz").to_dict()
    missing_style = {k: v for k, v in data.items() if k != "style"}
    kazoo = {**data, "instruments": {"melody": "Kazoo"}}
    for broken in ({**data, "bars": 0}, {**data, "key": "H major"}, kazoo, missing_style):
        with pytest.raises(RequestError):
            Request.from_dict(broken)


def test_instruments_are_parts_in_role_order() -> None:
    request = parse_request("drums and piano")
    assert request.instruments == (Part(Role.MELODY, 0), Part(Role.HARMONY, 0), Part(Role.BASS, 0),
                                   Part(Role.DRUMS, 0))
    assert request.ensemble == {Role.MELODY: 0, Role.HARMONY: 0, Role.BASS: 0, Role.DRUMS: 0}


def test_same_text_same_request() -> None:
    assert parse_request("sad jazz, 16 bars") == parse_request("sad jazz, 16 bars")
