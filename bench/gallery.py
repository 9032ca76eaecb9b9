"""Side-by-side look: for each style, a composition and a training segment, both as piano rolls.

Run: `python -m bench.gallery [--out out/gallery] [--bars 8]`; open the PNGs (and OGGs) it writes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from engine.arrange import Arrangement, arrange
from engine.compose import Composer
from engine.data.dataset import SPLITS, build_corpus
from engine.data.encoding import METERS
from engine.models.base import Generated
from engine.music.score import Key
from engine.render.audio import render_audio
from engine.render.pianoroll import render_pianoroll
from engine.requests import parse_request
from engine.settings import get_settings
from engine.styles import STYLES


def training_example(style_index: int, seed: int) -> tuple[Generated, int, Key]:
    """A held-out segment of the style that has a melody (or drums, if none has), as model output."""
    settings = get_settings()
    corpus = build_corpus(settings.datasets_dir, settings.cache_dir)
    mask = (corpus.style == style_index) & (corpus.split == SPLITS.index("valid"))
    with_melody = mask & (corpus.present[:, 0] > 0)
    idx = np.flatnonzero(with_melody if with_melody.any() else mask)
    i = int(np.random.default_rng(seed).choice(idx))

    def t(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(a[i:i + 1].astype(np.int64 if a.dtype != np.uint8 else np.float32))

    gen = Generated(t(corpus.melody), t(corpus.bass), t(corpus.chords), t(corpus.drums),
                    torch.zeros(1, 1, 1))
    return gen, int(corpus.meter[i]), Key(int(corpus.tonic[i]), "minor" if corpus.minor[i] else "major")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("out/gallery"))
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    composer = Composer()
    for style in STYLES:
        result = composer.compose(parse_request(f"{style.name} {args.bars} bars", seed=args.seed),
                                  args.out / f"{style.name}-model")
        print(style.name, "model:", result.files["image"])
        gen, meter, key = training_example(style.index, args.seed)
        score = arrange(gen, Arrangement(style.name, style.tempo, METERS[meter], key, style.ensemble,
                                         style.swing, args.seed))
        (args.out / f"{style.name}-data.png").write_bytes(render_pianoroll(score))
        (args.out / f"{style.name}-data.ogg").write_bytes(render_audio(score))
        print(style.name, "data: ", args.out / f"{style.name}-data.png")


if __name__ == "__main__":
    main()
