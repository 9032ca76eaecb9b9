"""/tag with an attachment the bot downloads from the fake."""

from __future__ import annotations

import io
from typing import Any

import pretty_midi
import pytest

from bot.app import CadenzaBot
from bot.services import InMemoryServices
from tests.bot.fake_discord import EPHEMERAL, FakeDiscord

pytestmark = pytest.mark.asyncio


def c_major_midi(bars: int = 4, bpm: float = 100.0) -> bytes:
    """A C major scale over a C-G-C bass, four quarter notes a bar."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    piano, bass = pretty_midi.Instrument(0), pretty_midi.Instrument(32)
    beat = 60.0 / bpm
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    for i in range(bars * 4):
        piano.notes.append(pretty_midi.Note(90, scale[i % 8], i * beat, (i + 1) * beat))
    for bar in range(bars):
        bass.notes.append(pretty_midi.Note(80, (36, 43)[bar % 2], bar * 4 * beat, (bar + 1) * 4 * beat))
    midi.instruments += [piano, bass]
    out = io.BytesIO()
    midi.write(out)
    return out.getvalue()


async def test_tag_reads_an_uploaded_midi(fake: FakeDiscord, bot: CadenzaBot, alice: dict[str, Any]) -> None:
    upload = fake.attachment("scale.mid", c_major_midi())
    sent = await fake.invoke("tag", alice, file=upload)
    assert (await sent.callback())["type"] == 5
    message = await sent.response(lambda m: bool(m["embeds"]))
    [embed] = message["embeds"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert embed["title"] == "🔎 scale.mid"
    assert fields["Key"] == "C major" and fields["Tempo"] == "100 bpm" and fields["Meter"] == "4/4"
    assert fields["Bars"] == "4"
    assert not message["flags"] & EPHEMERAL and not message["attachments"]


@pytest.mark.parametrize(("filename", "size", "expected"), [
    ("song.mp3", 1000, "I can read .mid, .midi"),
    ("huge.mid", 300 * 1024, "huge.mid is 300 KiB; the limit is 256 KiB"),
])
async def test_unreadable_uploads_are_refused_before_downloading(
        fake: FakeDiscord, bot: CadenzaBot, alice: dict[str, Any], filename: str, size: int, expected: str) -> None:
    upload = fake.attachment(filename, b"x" * size)
    callback = await (await fake.invoke("tag", alice, file=upload)).callback()
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert expected in callback["data"]["content"]


async def test_a_file_that_is_not_what_its_name_says_gets_the_readers_reason(
        fake: FakeDiscord, bot: CadenzaBot, services: InMemoryServices, alice: dict[str, Any]) -> None:
    sent = await fake.invoke("tag", alice, file=fake.attachment("fake.mid", b"RIFF not a midi file"))
    refusal = await sent.followup()
    assert refusal["flags"] & EPHEMERAL
    assert "fake.mid: not a MIDI file: bad header" in refusal["content"]
    assert fake.original(sent.token) is None
