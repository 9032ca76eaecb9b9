"""`cadenza`: the command line over the same services the bot uses.

Every command takes `--json` (one JSON object on stdout) and exits 0 on success, 2 on bad input
(one line on stderr), 1 on internal failure.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

with contextlib.redirect_stdout(io.StringIO()):
    # pyfluidsynth prints where it found its library when CI is set, on first import (pretty_midi
    # imports it too); import it here, silently, so stdout carries only the command's output.
    import fluidsynth  # noqa: F401

from . import commands

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input: reported on one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cadenza", description="Compose, tag and render music from text.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for register in commands.REGISTRY:
        register(sub)
    return parser


def _emit(result: dict[str, Any], as_json: bool, human: Callable[[dict[str, Any]], str]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(human(result) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(f"cadenza: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        result, human = args.handler(args)
    except (commands.BadInput, UsageError) as exc:
        print(f"cadenza: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except Exception as exc:  # the CLI's last line of defence: one line, not a stack trace
        logging.getLogger("cadenza").debug("internal failure", exc_info=True)
        print(f"cadenza: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    _emit(result, getattr(args, "json", False), human)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
