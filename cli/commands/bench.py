"""`cadenza bench`: the benchmarks behind docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._common import Result, json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="measure latency, throughput, memory, personalization")
    p.add_argument("what", choices=["latency", "personalization"])
    p.add_argument("--runs", type=int, default=20, help="compositions timed (latency)")
    p.add_argument("--bars", type=int, default=16)
    p.add_argument("--models", default="vae,gan", help="comma-separated models (latency)")
    p.add_argument("--request", default="jazz", help="what is composed, before 'N bars' (latency)")
    p.add_argument("--users", type=int, default=200, help="simulated users (personalization)")
    p.add_argument("--rounds", type=int, default=30, help="ratings per user (personalization)")
    p.add_argument("--pool", type=int, default=24, help="compositions per style in the pool (personalization)")
    json_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Result:
    import torch

    from engine.settings import get_settings

    torch.set_num_threads(max(1, get_settings().torch_threads))
    if args.what == "latency":
        from engine.evaluation.latency import latency_report

        result = latency_report(args.runs, args.bars, tuple(m.strip() for m in args.models.split(",")), args.request)
    else:
        from engine.compose import Composer
        from engine.evaluation.personalization import build_pool, gap_closed, simulate

        curves = simulate(build_pool(Composer(), args.pool), args.users, args.rounds)
        result = {"users": args.users, "rounds": args.rounds, "candidates_per_round": 4,
                  "gap_closed_at_20": round(gap_closed(curves, 20), 3), "curves": curves}

    def human(r: dict[str, Any]) -> str:
        return json.dumps(r, indent=1)

    return result, human
