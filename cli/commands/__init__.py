"""The CLI's subcommands; each module's `register` adds one to the parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from . import bench, bot, compose, derive, evaluate, parse, people, similar, styles, tag, train
from ._common import BadInput, Result

REGISTRY: list[Callable[[argparse._SubParsersAction], None]] = [
    bench.register, bot.register, compose.register, derive.register, evaluate.register, parse.register, people.register,
    similar.register, styles.register, tag.register,
    train.register]

__all__ = ["REGISTRY", "BadInput", "Result"]
