"""`cadenza styles`: the styles with their aliases, tempo and ensemble."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import Result, json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("styles", help="list the styles, their aliases, tempo and ensemble")
    json_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Result:
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
