"""`cadenza rate`, `prefs`, `history`, `forget`: ratings and what personalization learnt, per user."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ._common import BadInput, Result, json_flag

THUMBS = {"up": 5, "down": 1, "👍": 5, "👎": 1}


def with_app(action: Callable[[Any], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """Open the application (database migrated), run one use case, close."""
    from app.service import Cadenza

    async def go() -> dict[str, Any]:
        app = await Cadenza.open()
        try:
            return await action(app)
        finally:
            await app.close()

    return asyncio.run(go())


def _human(r: dict[str, Any]) -> str:
    return json.dumps(r, indent=1, ensure_ascii=False)


def register(sub: argparse._SubParsersAction) -> None:
    rate = sub.add_parser("rate", help="rate a generation 1–5 (or up/down); re-rating replaces")
    rate.add_argument("id")
    rate.add_argument("score")
    rate.add_argument("--user", required=True)
    json_flag(rate)
    rate.set_defaults(handler=run_rate)
    prefs = sub.add_parser("prefs", help="what personalization learnt about a user")
    prefs.add_argument("--user", required=True)
    prefs.add_argument("--reset", action="store_true", help="forget what was learnt")
    json_flag(prefs)
    prefs.set_defaults(handler=run_prefs)
    history = sub.add_parser("history", help="a user's latest generations")
    history.add_argument("--user", required=True)
    history.add_argument("--limit", type=int, default=20)
    json_flag(history)
    history.set_defaults(handler=run_history)
    forget = sub.add_parser("forget", help="delete all of a user's data")
    forget.add_argument("--user", required=True)
    json_flag(forget)
    forget.set_defaults(handler=run_forget)


def parse_score(text: str) -> int:
    """1–5, or up/down."""
    if text.lower() in THUMBS:
        return THUMBS[text.lower()]
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    raise BadInput(f"score {text!r} is not accepted; use 1–5, up or down")


def run_rate(args: argparse.Namespace) -> Result:
    from app.service import UnknownGeneration

    score = parse_score(args.score)
    try:
        result = with_app(lambda app: app.rate(args.user, args.id, score))
    except UnknownGeneration as exc:
        raise BadInput(str(exc)) from None
    return result, lambda r: f"rated {r['generation']} {r['score']}/5 ({r['votes']} votes, mean {r['mean']})"


def run_prefs(args: argparse.Namespace) -> Result:
    if args.reset:
        return with_app(lambda app: app.reset_prefs(args.user)), lambda r: f"reset what was learnt for {r['user']}"
    return with_app(lambda app: app.prefs(args.user)), lambda r: f"{r['user']}: {r['summary']}"


def run_history(args: argparse.Namespace) -> Result:
    return with_app(lambda app: app.history(args.user, args.limit)), _human


def run_forget(args: argparse.Namespace) -> Result:
    result = with_app(lambda app: app.forget(args.user))
    return result, lambda r: f"forgot {r['user']}: " + ", ".join(f"{k} {v}" for k, v in r["deleted"].items())
