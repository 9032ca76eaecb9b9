"""The CLI's subcommands: each `register_*` adds one to the parser; each handler returns
(result dict, human formatter)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

Result = tuple[dict[str, Any], Callable[[dict[str, Any]], str]]


class BadInput(ValueError):
    """The user's input was wrong; the message says what and what is accepted."""


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


# ---------------------------------------------------------------- train

def register_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="reproduce a checkpoint from the datasets")
    p.add_argument("what", choices=["vae"])
    p.add_argument("--steps", type=int, default=None, help="optimiser steps (default: the shipped run's)")
    p.add_argument("--minutes", type=float, default=0.0, help="stop after this long (0 = no limit)")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--sources", default=None, help="comma-separated dataset names (default: all)")
    p.add_argument("--out", type=Path, default=None, help="checkpoint path (default: checkpoints/vae.pt)")
    p.add_argument("--tiny", action="store_true", help="a tiny debug model (for tests)")
    _json_flag(p)
    p.set_defaults(handler=run_train)


def run_train(args: argparse.Namespace) -> Result:
    import torch

    from engine.models.vae import VAEConfig
    from engine.settings import get_settings
    from engine.training.train_vae import TrainConfig, train_vae

    settings = get_settings()
    torch.set_num_threads(max(1, settings.torch_threads))
    cfg = TrainConfig(max_minutes=args.minutes)
    if args.steps:
        cfg.steps = args.steps
    if args.batch_size:
        cfg.batch_size = args.batch_size
    if args.sources:
        cfg.sources = tuple(s.strip() for s in args.sources.split(","))
    if args.tiny:
        cfg.model = VAEConfig(latent_dim=8, enc_hidden=16, conductor_hidden=16, melody_hidden=16,
                              bass_hidden=8, drums_hidden=8, ctx_dim=8)
        cfg.eval_every = max(1, cfg.steps // 2)
    out = args.out or settings.checkpoint_dir / "vae.pt"
    train_vae(cfg, settings.datasets_dir, settings.cache_dir, out)
    return {"checkpoint": str(out), "log": str(out.with_suffix(".log.jsonl"))}, lambda r: f"wrote {r['checkpoint']}"


# ---------------------------------------------------------------- parse / compose / styles

def _request_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", nargs="?", default="", help='free text, e.g. "sad lofi in D minor, 8 bars"')
    p.add_argument("--style")
    p.add_argument("--bars", type=int)
    p.add_argument("--key")
    p.add_argument("--tempo", type=int)
    p.add_argument("--meter")
    p.add_argument("--mood")
    p.add_argument("--instruments")
    p.add_argument("--model")
    p.add_argument("--seed", type=int)


def _parse(args: argparse.Namespace) -> Any:
    from engine.requests import RequestError, parse_request

    fields = {name: getattr(args, name) for name in
              ("style", "bars", "key", "tempo", "meter", "mood", "instruments", "model", "seed")}
    try:
        return parse_request(args.text, **{k: v for k, v in fields.items() if v is not None})
    except RequestError as exc:
        raise BadInput(str(exc)) from None


def register_parse(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="show how a request is understood")
    _request_options(p)
    _json_flag(p)
    p.set_defaults(handler=run_parse)


def run_parse(args: argparse.Namespace) -> Result:
    request = _parse(args).to_dict()
    return request, lambda r: "\n".join(f"{k:12} {v}" for k, v in r.items())


def register_compose(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compose", help="compose a piece from text")
    _request_options(p)
    p.add_argument("--user", help="record the generation for this user")
    p.add_argument("--out", type=Path, help="folder for the files (default: out/ID)")
    _json_flag(p)
    p.set_defaults(handler=run_compose)


def _describe(r: dict[str, Any]) -> str:
    req, tags = r["request"], r["tags"]
    lines = [f"composed {r['id']}: {req['bars']} bars of {req['style']} in {req['meter']} at {req['tempo']} bpm"
             f" ({r['model']}, seed {r['seed']})",
             f"  key {tags['key']}; chords {' | '.join(tags['chords'][:8])}{' ...' if len(tags['chords']) > 8 else ''}",
             f"  parts: {', '.join(f'{k}: {v}' for k, v in req['instruments'].items())}"]
    lines += [f"  {name:9} {path}" for name, path in r["files"].items()]
    lines.append(f"  took {r['timings_ms']['total']:.0f} ms")
    return "\n".join(lines)


def run_compose(args: argparse.Namespace) -> Result:
    import torch

    from engine.compose import Composer
    from engine.models.registry import ModelUnavailable
    from engine.requests import RequestError
    from engine.settings import get_settings

    torch.set_num_threads(max(1, get_settings().torch_threads))
    request = _parse(args)
    try:
        composition = Composer().compose(request, args.out)
    except (RequestError, ModelUnavailable) as exc:
        raise BadInput(str(exc)) from None
    return composition.to_json(), _describe


def register_styles(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("styles", help="list the styles, their aliases, tempo and ensemble")
    _json_flag(p)
    p.set_defaults(handler=run_styles)


def run_styles(args: argparse.Namespace) -> Result:
    from engine.requests.vocabulary import GM_PROGRAMS
    from engine.styles import STYLES

    styles = [{"name": s.name, "aliases": list(s.aliases), "tempo": s.tempo, "tempo_range": list(s.tempo_range),
               "meter": str(s.meter), "swing": s.swing, "description": s.description,
               "ensemble": {role.value: ("drum kit" if role.value == "drums" else GM_PROGRAMS[program])
                            for role, program in s.ensemble.items()}} for s in STYLES]

    def human(r: dict[str, Any]) -> str:
        return "\n".join(f"{s['name']:10} {s['tempo']:>3} bpm  {s['meter']}  {', '.join(s['ensemble'].values())}"
                         f"\n{'':10} aliases: {', '.join(s['aliases'])}" for s in r["styles"])

    return {"styles": styles}, human


REGISTRY: list[Callable[[argparse._SubParsersAction], None]] = [
    register_compose, register_parse, register_styles, register_train]
