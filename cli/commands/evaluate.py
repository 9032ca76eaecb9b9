"""`cadenza evaluate`: the measurements behind docs/models.md."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ._common import BadInput, Result, json_flag

QUALITY_MODELS = ("vae", "gan")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure the models (quality metrics, reconstruction, style adherence, "
                       "similarity)")
    p.add_argument("what", nargs="?", choices=["quality", "reconstruction", "adherence", "jsb", "similarity"],
                   default="quality", help="what to measure (default: quality)")
    p.add_argument("--n", type=int, help="pieces per style (quality, default 32; adherence, default 20; "
                   "similarity, default 10)")
    p.add_argument("--model", choices=QUALITY_MODELS, help="model to measure (quality: default vae; adherence: "
                   "default each style's own)")
    p.add_argument("--style", help="style to measure, or 'all' (quality; default all)")
    p.add_argument("--bars", type=int, help="bars per piece, a multiple of 8 (quality, default 16; adherence, "
                   "default 8)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (quality)")
    p.add_argument("--styles", help="comma-separated styles (adherence; default all, plus waltz; a style brings "
                                     "its requests naming a key)")
    p.add_argument("--limit", type=int, default=600, help="held-out segments (reconstruction)")
    p.add_argument("--checkpoint", type=Path, help="VAE checkpoint (reconstruction, jsb; default: the shipped one)")
    p.add_argument("--samples", type=int, default=16, help="importance samples per segment (jsb)")
    json_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Result:
    import torch

    from engine.settings import get_settings

    settings = get_settings()
    torch.set_num_threads(max(1, settings.torch_threads))
    if args.what == "quality":
        return quality(args), _quality_table
    checkpoint = args.checkpoint or settings.checkpoint_dir / "vae.pt"
    if args.what == "reconstruction":
        from engine.evaluation.reconstruction import evaluate_checkpoint

        result = evaluate_checkpoint(checkpoint, settings.datasets_dir, settings.cache_dir, limit=args.limit)
    elif args.what == "jsb":
        from engine.evaluation import jsb_nll

        if args.samples < 1:
            raise BadInput(f"--samples must be at least 1, not {args.samples}")
        result = jsb_nll.evaluate_checkpoint(checkpoint, settings.datasets_dir, settings.cache_dir, args.samples)
    elif args.what == "similarity":
        from engine.compose import Composer
        from engine.evaluation.similarity import similarity_report

        n = 10 if args.n is None else args.n
        if not 2 <= n <= 200:
            raise BadInput(f"--n {n} is out of range for similarity: use 2–200")
        result = {"similarity": similarity_report(Composer(settings), n)}
    else:
        from engine.compose import Composer
        from engine.evaluation.adherence import adherence

        styles = tuple(s.strip() for s in args.styles.split(",")) if args.styles else None
        result = {"adherence": adherence(Composer(settings), 20 if args.n is None else args.n, styles,
                                         bars=_bars(args, 8), model=args.model)}

    def human(r: dict[str, Any]) -> str:
        return json.dumps(r, indent=1, ensure_ascii=False)

    return result, human


def quality(args: argparse.Namespace) -> dict[str, Any]:
    """One style's report, or (style 'all' or none) every style's under "styles"."""
    from engine.evaluation.quality import evaluate_quality
    from engine.models.registry import ModelUnavailable
    from engine.styles import STYLE_BY_NAME

    style = (args.style or "all").strip().lower()
    if style != "all" and style not in STYLE_BY_NAME:
        raise BadInput(f"unknown style '{args.style}': use one of {', '.join(STYLE_BY_NAME)} or all")
    n = 32 if args.n is None else args.n
    if not 1 <= n <= 1000:
        raise BadInput(f"--n {n} is out of range: use 1–1000")
    bars = _bars(args, 16)
    names = list(STYLE_BY_NAME) if style == "all" else [style]
    try:
        reports = {name: evaluate_quality(args.model or "vae", name, n, seed=args.seed, bars=bars)
                   for name in names}
    except ModelUnavailable as exc:
        raise BadInput(str(exc)) from None
    if style != "all":
        return reports[style]
    return {"model": args.model or "vae", "n": n, "bars": bars, "seed": args.seed, "styles": reports}


def _bars(args: argparse.Namespace, default: int) -> int:
    """`--bars`, or the measurement's default; a multiple of 8 from 8 to 64."""
    bars = default if args.bars is None else args.bars
    if bars % 8 or not 8 <= bars <= 64:
        raise BadInput(f"--bars {bars} is not accepted: use a multiple of 8 from 8 to 64")
    return bars


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.3g}" if isinstance(value, float) else str(value)


def _quality_table(result: dict[str, Any]) -> str:
    """Per style: metric, generated, data, within 25%; then novelty."""
    from engine.evaluation.quality import flatten

    reports = result["styles"] if "styles" in result else {result["style"]: result}
    lines = []
    for name, r in reports.items():
        lines.append(f"{name} ({r['model']}, {r['n']} pieces of {r['bars']} bars; "
                     f"data: {r['data']['segments']} training segments)")
        gen, data = flatten(r["generated"]), flatten(r["data"])
        width = max(len(k) for k in data)
        lines.append(f"  {'metric':<{width}}  generated       data  within 25%")
        for key, want in data.items():
            ok = {True: "yes", False: "no", None: "–"}[r["within_25pct"][key]]
            lines.append(f"  {key:<{width}}  {_fmt(gen[key]):>9}  {_fmt(want):>9}  {ok}")
        lines.append(f"  novelty: {_fmt(r['novelty'])} of {r['novelty_windows']} 4-bar melody windows")
    return "\n".join(lines)
