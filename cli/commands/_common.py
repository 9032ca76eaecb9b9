"""The CLI's subcommands, one module each: `register(sub)` adds the subcommand, its handler returns
(result dict, human formatter)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Result = tuple[dict[str, Any], Callable[[dict[str, Any]], str]]


class BadInput(ValueError):
    """The user's input was wrong; the message says what and what is accepted."""


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
