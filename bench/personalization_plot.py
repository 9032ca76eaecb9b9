"""Draw the personalization curves of `cadenza bench personalization --json` as a PNG.

Run: `cadenza bench personalization --json > out/p.json`, then
`python -m bench.personalization_plot out/p.json docs/personalization.png`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw

COLOURS = {"oracle": (120, 200, 120), "system": (250, 170, 60), "random": (150, 150, 170)}
W, H, PAD = 900, 480, 60


def plot(curves: dict[str, list[float]], out: Path, title: str) -> None:
    image = Image.new("RGB", (W, H), (30, 31, 36))
    draw = ImageDraw.Draw(image)
    values = [v for c in curves.values() for v in c]
    lo, hi = min(values), max(values)
    rounds = len(next(iter(curves.values())))

    def xy(i: int, v: float) -> tuple[float, float]:
        return PAD + i * (W - 2 * PAD) / (rounds - 1), H - PAD - (v - lo) / (hi - lo or 1) * (H - 2 * PAD)

    draw.rectangle([PAD, PAD, W - PAD, H - PAD], outline=(90, 90, 100))
    for r in range(0, rounds, 5):
        x, _ = xy(r, lo)
        draw.line([x, H - PAD, x, H - PAD + 6], fill=(160, 160, 170))
        draw.text((x - 4, H - PAD + 10), str(r + 1), fill=(200, 200, 210))
    x20, _ = xy(19, lo)
    draw.line([x20, PAD, x20, H - PAD], fill=(80, 80, 90))
    for name, curve in curves.items():
        draw.line([xy(i, v) for i, v in enumerate(curve)], fill=COLOURS[name], width=3)
    for k, name in enumerate(curves):
        draw.rectangle([W - PAD - 150, PAD + 10 + k * 22, W - PAD - 138, PAD + 22 + k * 22], fill=COLOURS[name])
        draw.text((W - PAD - 130, PAD + 10 + k * 22), name, fill=(220, 220, 230))
    draw.text((PAD, 20), title, fill=(235, 235, 240))
    draw.text((PAD, H - 25), "rating round (mean hidden utility of the piece served, over simulated users)",
              fill=(200, 200, 210))
    image.save(out)


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    plot(data["curves"], Path(sys.argv[2]),
         f"Personalization: {data['users']} simulated users, gap closed at 20 ratings: {data['gap_closed_at_20']:.0%}")
