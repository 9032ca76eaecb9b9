"""`cadenza parse`, and the request options shared with `compose`."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import BadInput, Result, json_flag


def request_options(p: argparse.ArgumentParser) -> None:
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


def parse(args: argparse.Namespace) -> Any:
    from engine.requests import RequestError, parse_request

    fields = {name: getattr(args, name) for name in
              ("style", "bars", "key", "tempo", "meter", "mood", "instruments", "model", "seed")}
    try:
        return parse_request(args.text, **{k: v for k, v in fields.items() if v is not None})
    except RequestError as exc:
        raise BadInput(str(exc)) from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="show how a request is understood")
    request_options(p)
    json_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Result:
    request = parse(args).to_dict()
    return request, lambda r: "\n".join(f"{k:12} {v}" for k, v in r.items())
