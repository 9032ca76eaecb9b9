"""`cadenza evaluate`: the measurements behind docs/models.md."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ._common import Result, json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="measure the models (reconstruction, style adherence)")
    p.add_argument("what", choices=["reconstruction", "adherence"])
    p.add_argument("--n", type=int, default=20, help="compositions per style (adherence)")
    p.add_argument("--styles", help="comma-separated styles (adherence; default all, plus waltz)")
    p.add_argument("--limit", type=int, default=600, help="held-out segments (reconstruction)")
    p.add_argument("--checkpoint", type=Path, help="VAE checkpoint (default: the shipped one)")
    json_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Result:
    import torch

    from engine.settings import get_settings

    settings = get_settings()
    torch.set_num_threads(max(1, settings.torch_threads))
    if args.what == "reconstruction":
        from engine.evaluation.reconstruction import evaluate_checkpoint

        result = evaluate_checkpoint(args.checkpoint or settings.checkpoint_dir / "vae.pt", settings.datasets_dir,
                                     settings.cache_dir, limit=args.limit)
    else:
        from engine.compose import Composer
        from engine.evaluation.adherence import adherence

        styles = tuple(s.strip() for s in args.styles.split(",")) if args.styles else None
        result = {"adherence": adherence(Composer(settings), args.n, styles)}

    def human(r: dict[str, Any]) -> str:
        return json.dumps(r, indent=1, ensure_ascii=False)

    return result, human
