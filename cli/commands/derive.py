"""`cadenza variation`, `continue`, `interpolate`, `remix`: pieces made from stored generations or files.

A PIECE is a generation id or a path to a MIDI/MusicXML/ABC file (at most 256 KiB); every result
is recorded with its parents and printed as `compose` prints.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ._common import BadInput, Result, json_flag
from .compose import describe
from .parse import parse, request_options

PIECE_HELP = "a generation id, or a .mid/.musicxml/.mxl/.abc file"


def _common(p: argparse.ArgumentParser, with_request: bool = False) -> None:
    if with_request:
        request_options(p)
    else:
        p.add_argument("--seed", type=int)
        p.add_argument("--model", choices=["vae", "gan"], help="default: the parent's model")
    p.add_argument("--user", help="record the result for this user")
    p.add_argument("--out", type=Path, help="folder for the files (default: out/ID)")
    json_flag(p)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("variation", help="a piece close to another (its latent, nudged)")
    p.add_argument("piece", help=PIECE_HELP)
    _common(p)
    p.set_defaults(handler=run_variation)
    p = sub.add_parser("continue", help="a piece followed by more bars in its vein")
    p.add_argument("piece", help=PIECE_HELP)
    p.add_argument("--bars", type=int, default=8, help="bars to add (default 8)")
    _common(p)
    p.set_defaults(handler=run_continue)
    p = sub.add_parser("interpolate", help="one piece gliding from the first to the second")
    p.add_argument("first", help=PIECE_HELP)
    p.add_argument("last", help=PIECE_HELP)
    p.add_argument("--steps", type=int, default=4, help="points on the way, 4 bars each (default 4)")
    _common(p)
    p.set_defaults(handler=run_interpolate)
    p = sub.add_parser("remix", help="a piece rewritten as TEXT asks, e.g. 'jazz, 140 bpm'")
    p.add_argument("piece", help=PIECE_HELP)
    _common(p, with_request=True)
    p.set_defaults(handler=run_remix)


def _derive(args: argparse.Namespace, action: Callable[[Any, Any], Awaitable[Any]]) -> Result:
    """Open the app, load the parent(s), run `action(app, origin)`, map input errors to BadInput."""
    import torch

    from app.service import Origin, UnknownGeneration
    from engine.mir.loading import UnreadableFile
    from engine.models.registry import ModelUnavailable
    from engine.requests import RequestError
    from engine.settings import get_settings

    from .people import with_app

    torch.set_num_threads(max(1, get_settings().torch_threads))

    async def go(app: Any) -> dict[str, Any]:
        comp = await action(app, Origin(user_id=args.user))
        return comp.to_json()

    try:
        return with_app(go), describe
    except (UnknownGeneration, UnreadableFile, RequestError, ModelUnavailable) as exc:
        raise BadInput(str(exc)) from None


async def parent(app: Any, piece: str) -> Any:
    """A generation id, or an existing file read under the upload limits."""
    from engine.mir.loading import MAX_BYTES

    path = Path(piece)
    if not (path.suffix and path.is_file()):
        return await app.parent(piece)
    if path.stat().st_size > MAX_BYTES:
        raise BadInput(f"{path.name} is {path.stat().st_size // 1024} KiB; files of at most {MAX_BYTES // 1024} KiB "
                       "are accepted")
    return await app.upload_parent(path.read_bytes(), path.name)


def run_variation(args: argparse.Namespace) -> Result:
    async def act(app: Any, origin: Any) -> Any:
        return await app.variation(await parent(app, args.piece), seed=args.seed, model=args.model, origin=origin,
                                   out_dir=args.out)
    return _derive(args, act)


def run_continue(args: argparse.Namespace) -> Result:
    async def act(app: Any, origin: Any) -> Any:
        return await app.continuation(await parent(app, args.piece), args.bars, seed=args.seed, model=args.model,
                                      origin=origin, out_dir=args.out)
    return _derive(args, act)


def run_interpolate(args: argparse.Namespace) -> Result:
    async def act(app: Any, origin: Any) -> Any:
        first, last = await parent(app, args.first), await parent(app, args.last)
        return await app.interpolation(first, last, args.steps, seed=args.seed, model=args.model, origin=origin,
                                       out_dir=args.out)
    return _derive(args, act)


def run_remix(args: argparse.Namespace) -> Result:
    if not args.text and not args.style:
        raise BadInput("say what to remix it as, e.g. `cadenza remix ID \"jazz, 140 bpm\"` or --style jazz")
    request = parse(args)

    async def act(app: Any, origin: Any) -> Any:
        return await app.remix(await parent(app, args.piece), request, seed=args.seed, origin=origin,
                               out_dir=args.out)
    return _derive(args, act)
