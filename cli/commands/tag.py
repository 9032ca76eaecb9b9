"""`cadenza tag FILE`: key, tempo, meter, chords, form and features of a MIDI, MusicXML or ABC file.

`style` ({label, scores}) comes from the shipped style tagger; without `checkpoints/tagger.pt` the
field is left out rather than invented.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import BadInput, Result, json_flag

if TYPE_CHECKING:
    from engine.music.score import Score

StyleClassifier = Callable[["Score"], dict[str, Any]]
"""Score → {"label": style, "scores": {style: probability}}."""
CHORD_BARS_SHOWN = 8


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tag", help="read key, tempo, meter, chords, form and features from a file")
    p.add_argument("file", type=Path, help="a .mid, .midi, .mxl, .musicxml, .xml or .abc file (at most 256 KiB)")
    json_flag(p)
    p.set_defaults(handler=run)


def tag_file(path: Path, classify: StyleClassifier | None = None) -> dict[str, Any]:
    """The tag JSON of SPEC §3 for one file; bad files raise BadInput."""
    from engine.mir.analysis import analyse
    from engine.mir.loading import UnreadableFile, load_score

    try:
        score, midi = load_score(path)
    except UnreadableFile as exc:
        raise BadInput(f"{path.name}: {exc}") from None
    analysis = analyse(score, midi=midi)
    classify = classify or _shipped_classifier()
    style = {"style": classify(score)} if classify is not None else {}
    return {"file": str(path), **style, **analysis.to_json()}


def _shipped_classifier() -> StyleClassifier | None:
    from engine.mir.tagger import classify, score_views
    from engine.models.registry import load_style_tagger
    from engine.settings import get_settings

    tagger = load_style_tagger(get_settings().checkpoint_dir)
    if tagger is None:
        return None
    return lambda score: classify(tagger, score_views(score)).to_json()


def _describe(r: dict[str, Any]) -> str:
    f, chords = r["features"], r["chords"]
    key = r["key"] or "no key (no pitched notes)"
    lines = [f"{Path(r['file']).name}: {key}, {r['tempo']} bpm, {r['meter']}, {r['bars']} bars, "
             f"form {r['sections']['form']} ({r['sections']['phrase_bars']}-bar phrases)",
             f"  chords: {' | '.join(chords[:CHORD_BARS_SHOWN])}{' ...' if len(chords) > CHORD_BARS_SHOWN else ''}",
             f"  swing {f['swing_ratio']:.2f}{'' if f['swing_measured'] else ' (unmeasured)'}, "
             f"syncopation {f['syncopation']:.2f}, backbeat {f['backbeat']:.2f}, "
             f"{f['density_melody']:.1f} melody notes per bar"]
    if "style" in r:
        top = sorted(r["style"]["scores"].items(), key=lambda kv: -kv[1])[:3]
        lines.append(f"  style: {r['style']['label']} ({', '.join(f'{k} {v:.0%}' for k, v in top)})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> Result:
    return tag_file(args.file), _describe
