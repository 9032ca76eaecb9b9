"""What the bot posts: progress lines, the result message (embed, files, buttons) and the tag report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord

from .buttons import result_view
from .services import RESULT_FILES, Generation

STYLE_COLOURS = {"pop": 0xE91E63, "rock": 0xE53935, "jazz": 0x3F51B5, "blues": 0x1E88E5, "folk": 0x43A047,
                 "classical": 0x8D6E63, "lofi": 0x9575CD}
CHORD_BARS_SHOWN = 8
FIELD_LIMIT = 1024


@dataclass
class Reply:
    """A message to send or to edit the interaction's response into."""

    embeds: list[discord.Embed]
    files: list[discord.File] = field(default_factory=list)
    view: discord.ui.View | None = None
    content: str | None = None


def progress_text(ahead: int, working: str) -> str:
    """The line the response shows while a job waits (`ahead` jobs before it) or runs (`ahead` 0)."""
    if ahead:
        return f"⏳ In the queue: {ahead} {'piece' if ahead == 1 else 'pieces'} ahead of yours…"
    return working


def _clip(text: str, limit: int = FIELD_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _chords(chords: list[str]) -> str:
    shown = " | ".join(chords[:CHORD_BARS_SHOWN])
    return _clip(shown + (" | …" if len(chords) > CHORD_BARS_SHOWN else "")) or "—"


def _style_fit(style: dict[str, Any]) -> str:
    top = sorted(style["scores"].items(), key=lambda kv: -kv[1])[:3]
    return f"{style['label']} ({', '.join(f'{name} {p:.0%}' for name, p in top)})"


def result_reply(generation: Generation, requested_by: str) -> Reply:
    """The result message: an embed with the request, tags and id; audio, MIDI and piano roll; buttons."""
    request, tags = generation.request, generation.tags
    key = str(generation.key) if generation.key else tags.get("key") or "no fixed key"
    embed = discord.Embed(
        title=f"{request.style.capitalize()} · {request.bars} bars · {key} · {request.tempo} bpm · {request.meter}",
        description=_clip(f"> {request.text}" if request.text.strip() else "> (options only)", 4096),
        colour=STYLE_COLOURS.get(request.style, 0x607D8B))
    embed.set_author(name=f"for {requested_by}")
    if generation.parents:
        embed.add_field(name=f"{generation.kind.capitalize()} of",
                        value=" → ".join(f"`{p}`" for p in generation.parents), inline=False)
    embed.add_field(name="Chords", value=_chords(tags.get("chords", [])), inline=False)
    band = ", ".join(f"{role}: {name}" for role, name in request.to_dict()["instruments"].items())
    embed.add_field(name="Band", value=_clip(band) or "—", inline=False)
    if "style" in tags:
        embed.add_field(name="Style (tagger)", value=_style_fit(tags["style"]))
    embed.add_field(name="Model", value=f"{generation.model} · seed {generation.seed}")
    embed.add_field(name="ID", value=f"`{generation.id}`")
    image = generation.files["image"]
    embed.set_image(url=f"attachment://{image.name}")
    embed.set_footer(text="👍/👎 teach Cadenza your taste · Variation keeps key, tempo and band · Reroll asks again")
    return Reply([embed], result_files(generation), result_view(generation.id))


def result_files(generation: Generation) -> list[discord.File]:
    return [discord.File(generation.files[name], filename=generation.files[name].name) for name in RESULT_FILES]


def score_reply(generation_id: str, score: Path) -> Reply:
    """The piece's MusicXML file, with a word on what opens it."""
    return Reply([], [discord.File(score, filename=score.name)],
                 content=f"📜 The score of `{generation_id}` as MusicXML: open it in MuseScore, Dorico, Sibelius "
                         "or Finale to read, print or edit it.")


def tag_reply(result: dict[str, Any], requested_by: str) -> Reply:
    """What `cadenza tag` reads from a file, as an embed."""
    features, sections = result["features"], result["sections"]
    embed = discord.Embed(title=f"🔎 {result['file']}", colour=0x607D8B)
    embed.set_author(name=f"for {requested_by}")
    embed.add_field(name="Key", value=result["key"] or "no key (no pitched notes)")
    embed.add_field(name="Tempo", value=f"{result['tempo']} bpm")
    embed.add_field(name="Meter", value=result["meter"])
    embed.add_field(name="Bars", value=str(result["bars"]))
    embed.add_field(name="Form", value=f"{sections['form']} ({sections['phrase_bars']}-bar phrases)")
    if "style" in result:
        embed.add_field(name="Style", value=_style_fit(result["style"]))
    embed.add_field(name="Chords", value=_chords(result["chords"]), inline=False)
    embed.add_field(name="Feel", inline=False, value=(
        f"swing {features['swing_ratio']:.2f}{'' if features['swing_measured'] else ' (unmeasured)'}, "
        f"syncopation {features['syncopation']:.2f}, backbeat {features['backbeat']:.2f}, "
        f"{features['density_melody']:.1f} melody notes per bar"))
    return Reply([embed])
