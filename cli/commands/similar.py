"""`cadenza similar ID`: the stored generations nearest to one, by musical features and latent code."""

from __future__ import annotations

import argparse

from ._common import BadInput, Result, json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("similar", help="list the generations most like one")
    p.add_argument("id")
    p.add_argument("--limit", type=int, default=5)
    json_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Result:
    from app.service import UnknownGeneration

    from .people import with_app

    try:
        result = with_app(lambda app: app.similar(args.id, args.limit))
    except UnknownGeneration as exc:
        raise BadInput(str(exc)) from None
    return result, lambda r: "\n".join(f"{s['id']}  {s['similarity']:.3f}  {s['style']}: {s['request']}"
                                       for s in r["similar"]) or "no other generations yet"
