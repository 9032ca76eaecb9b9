"""`cadenza compose`: compose a piece from text."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import BadInput, Result, json_flag
from .parse import parse, request_options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compose", help="compose a piece from text")
    request_options(p)
    p.add_argument("--out", type=Path, help="folder for the files (default: out/ID)")
    p.add_argument("--user", help="compose to this user's taste, and record the generation as theirs")
    json_flag(p)
    p.set_defaults(handler=run)


def describe(r: dict[str, Any]) -> str:
    req, tags = r["request"], r["tags"]
    bars = f"{req['bars']} bar{'s' if req['bars'] != 1 else ''}"
    lines = [f"composed {r['id']}: {bars} of {req['style']} in {req['meter']} at {req['tempo']} bpm"
             f" ({r['model']}, seed {r['seed']})",
             f"  key {tags['key']}; chords {' | '.join(tags['chords'][:8])}{' ...' if len(tags['chords']) > 8 else ''}",
             f"  parts: {', '.join(f'{k}: {v}' for k, v in req['instruments'].items())}"]
    lines += [f"  {name:9} {path}" for name, path in r["files"].items()]
    lines.append(f"  took {r['timings_ms']['total']:.0f} ms")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> Result:
    import torch

    from engine.models.registry import ModelUnavailable
    from engine.requests import RequestError
    from engine.settings import get_settings

    from .people import with_app

    torch.set_num_threads(max(1, get_settings().torch_threads))
    request = parse(args)
    try:
        return with_app(lambda app: _recorded(app, request, args)), describe
    except (RequestError, ModelUnavailable) as exc:
        raise BadInput(str(exc)) from None


async def _recorded(app: Any, request: Any, args: argparse.Namespace) -> dict[str, Any]:
    composition = await app.compose(request, user_id=args.user, out_dir=args.out)
    return composition.to_json()
